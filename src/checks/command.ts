// command check: runs a program with arguments (never through a shell) and reads it the Nagios
// plugin way: exit 0 ok, 1 degraded (warning), 2 error (critical), anything else error
// (unknown); the first output line is the message, performance data after `|` goes to `extra`.
import { spawn } from 'node:child_process';
import type { CheckOutcome, EntityBase, ExtraValue } from '../domain.ts';
import { pathToPointer } from '../config/positions.ts';
import { scrub } from '../secrets.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { abortMessage } from './errors.ts';
import { truncate } from './format.ts';
import { failure, success } from './outcome.ts';
import { parsePluginOutput } from './plugin-output.ts';

export interface CommandEntity extends EntityBase {
  readonly type: 'command';
  /** The program (absolute path) and its arguments. */
  readonly command: readonly string[];
  /** Variables for the program besides PATH and LANG; values may be secrets. */
  readonly env: Readonly<Record<string, string>>;
}

/** Output read from the program; a plugin prints a line or a few, a runaway one is cut off here. */
const MAX_OUTPUT_BYTES = 64 * 1024;

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the program in a process group of its own, so that the whole group can be killed. */
function run(entity: CommandEntity, signal: AbortSignal): Promise<Finished> {
  return new Promise<Finished>((resolve, reject) => {
    const [program, ...args] = entity.command;
    const child = spawn(program!, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', ...entity.env },
    });
    const out = { stdout: '', stderr: '' };
    const read = (key: 'stdout' | 'stderr') => (chunk: Buffer): void => {
      if (out[key].length < MAX_OUTPUT_BYTES) out[key] += chunk.toString('utf8');
    };
    child.stdout.on('data', read('stdout'));
    child.stderr.on('data', read('stderr'));
    // Whatever the program started (a plugin's own children, a background job) goes with it.
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    signal.addEventListener('abort', killGroup, { once: true });
    child.once('error', (err) => {
      signal.removeEventListener('abort', killGroup);
      reject(err);
    });
    // The program ended: what it left running in its group is stopped, so its pipes close too.
    child.once('exit', killGroup);
    child.once('close', (code, killedBy) => {
      signal.removeEventListener('abort', killGroup);
      resolve({ code, signal: killedBy, ...out });
    });
  });
}

const STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export async function checkCommand(entity: CommandEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const secrets = Object.values(entity.env);
  const started = performance.now();
  try {
    const done = await run(entity, ctx.signal);
    const latency = Math.round(performance.now() - started);
    if (ctx.signal.aborted) return failure(abortMessage(ctx.signal, entity.timeout), {}, latency);
    const output = parsePluginOutput(done.stdout.trim() === '' ? done.stderr : done.stdout);
    const text = truncate(scrub(output.message, secrets), 200);
    const extra: Record<string, ExtraValue> = { ...output.perfdata };
    if (done.code === null) return failure(`killed by ${done.signal ?? 'a signal'}${text ? `: ${text}` : ''}`, extra, latency);
    extra.exit_code = done.code;
    const said = text || `exit ${done.code} (${STATES[done.code] ?? 'UNKNOWN'}), no output`;
    switch (done.code) {
      case 0: return success(said, latency, extra);
      case 1: return { ok: true, degraded: true, latency_ms: latency, message: said, extra };
      case 2: return failure(said, extra, latency);
      case 3: return failure(`unknown: ${said}`, extra, latency);
      default: return failure(`unknown (exit ${done.code}): ${said}`, extra, latency);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const program = entity.command[0];
    if (code === 'ENOENT') return failure(`program not found: ${program}`);
    if (code === 'EACCES') return failure(`permission denied: ${program}`);
    return failure(`cannot run ${program}: ${truncate(scrub(String(err), secrets))}`);
  }
}

export const command: CheckType<CommandEntity> = {
  build(raw: RawFields, base) {
    const argv = [...(raw.command as string[])];
    return { ...base, type: 'command', target: argv[0]!, command: argv, env: { ...(raw.env as Record<string, string> | undefined) } };
  },
  validate(raw, at) {
    const program = Array.isArray(raw.command) ? raw.command[0] : undefined;
    if (typeof program !== 'string' || program.startsWith('/')) return [];
    const path = [...at('command'), 0];
    return [{ path, at: 'value', message: `${pathToPointer(path)} must be an absolute path to the program (no shell runs it)` }];
  },
  secrets: (entity) => Object.values(entity.env),
  check: checkCommand,
};
