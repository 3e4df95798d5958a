// Picks the store engine from the configured URL.
import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite.ts';

export interface OpenStoreOptions {
  /** A postgres:// URL selects PostgreSQL; null selects SQLite under `dir`. */
  readonly url: string | null;
  readonly dir: string;
  /** Failures of background writes and of idle connections; default: stderr. */
  readonly onError?: (error: unknown) => void;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.url && /^postgres(ql)?:\/\//.test(options.url)) {
    // Loaded only for a PostgreSQL store: a SQLite service never holds pg.
    const { openPostgresStore } = await import('./postgres.ts');
    return openPostgresStore({ url: options.url, onError: options.onError });
  }
  // The URL itself is not echoed: it may carry a password.
  if (options.url) throw new Error('unsupported store URL (expected postgres://...)');
  return openSqliteStore({ dir: options.dir, onError: options.onError });
}
