// `pulsemap validate [FILE]`: check a configuration without starting anything.
// Problems go to stderr (one `FILE:LINE:COL: message` per line) so stdout stays the verdict.
import { parseArgs } from 'node:util';
import { ConfigError, formatProblem, loadConfig } from '../config/load.ts';

const usage = 'usage: pulsemap validate [FILE]\n';

export const validateCommand = {
  summary: 'check entities.yaml and print every problem with its position',
  usage,

  async run(args: string[]): Promise<number> {
    let positionals: string[];
    try {
      ({ positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true }));
    } catch (err) {
      process.stderr.write(`pulsemap validate: ${(err as Error).message}\n${usage}`);
      return 2;
    }
    if (positionals.length > 1) {
      process.stderr.write(usage);
      return 2;
    }
    const file = positionals[0] ?? process.env.PULSEMAP_CONFIG ?? './entities.yaml';
    try {
      const config = await loadConfig(file);
      const n = config.entities.length;
      process.stdout.write(`ok: ${n} entities\n`); // the exact words scripts match on
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.problems.map(formatProblem).join('\n')}\n`);
      return 1;
    }
  },
};
