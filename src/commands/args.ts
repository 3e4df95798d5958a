// The commands' shared argument handling: parse strictly, and on a usage error print
// `pulsemap COMMAND: reason` and the usage to stderr, so every command exits 2 the same way.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Writes `pulsemap COMMAND: message` and the command's usage to stderr; returns exit code 2. */
export function usageError(command: string, usage: string, message: string): 2 {
  process.stderr.write(`pulsemap ${command}: ${message}\n${usage}`);
  return 2;
}

/** Parses a command's arguments; null (with the error and usage written) when they are wrong. */
export function commandArgs<O extends Options>(command: string, usage: string, args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    usageError(command, usage, err instanceof Error ? err.message : String(err));
    return null;
  }
}
