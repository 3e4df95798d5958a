// What the commands that read a service's data without starting it share: the configuration
// (problems printed as file:line:col) and one pass over the store.
import type { Config } from '../types.ts';
import type { Store } from '../store/store.ts';
import { ConfigError, formatProblem, loadConfig } from '../config/load.ts';
import { openStore } from '../store/open.ts';

export interface OfflineFlags {
  readonly config?: string;
  readonly data?: string;
  readonly store?: string;
}

/** The configuration, or null after printing its problems. */
export async function configOrProblems(flags: OfflineFlags, env: NodeJS.ProcessEnv): Promise<Config | null> {
  try {
    return await loadConfig(flags.config ?? env.PULSEMAP_CONFIG ?? './entities.yaml', env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.problems.map(formatProblem).join('\n')}\n`);
    return null;
  }
}

/** Runs `read` on the store and closes it; null after printing why the store could not be read. */
export async function readStore<T>(command: string, flags: OfflineFlags, env: NodeJS.ProcessEnv, read: (store: Store) => Promise<T>): Promise<{ value: T } | null> {
  try {
    const store = await openStore({ url: flags.store ?? env.PULSEMAP_STORE ?? null, dir: flags.data ?? env.PULSEMAP_DATA ?? 'data' });
    try {
      return { value: await read(store) };
    } finally {
      await store.close();
    }
  } catch (err) {
    process.stderr.write(`pulsemap ${command}: cannot read the store: ${err instanceof Error ? err.message : String(err)}\n`);
    return null;
  }
}
