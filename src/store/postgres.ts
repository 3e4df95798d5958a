// The scale-out store: PostgreSQL through a pg Pool. Same tables, queue and rules as the SQLite
// store (sqlite.ts), so both answer every contract test the same way.

import pg from 'pg';
import type { CustomTypesConfig } from 'pg';
import type { Store } from './store.ts';
import { createWriteQueue, flushingReads } from './queue.ts';
import { migrate } from './postgres-migrations.ts';
import { createPostgresWriter } from './postgres-write.ts';
import { createPostgresReads } from './postgres-read.ts';
import { prunePostgres } from './postgres-prune.ts';
import { scrub } from '../secrets.ts';
import { createSeriesReads, SERIES_SQL } from './series-sql.ts';

export interface PostgresStoreOptions {
  /** postgres:// connection URL (may hold a password: never logged). */
  readonly url: string;
  /** Connections in the pool; default 4 (one writer, reads, the outbox, pruning). */
  readonly poolSize?: number;
  /** How long a queued write may wait; default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Queued results and transitions that trigger a write at once; default 1000. */
  readonly maxBatch?: number;
  /** Failures of timer-driven writes and of idle connections; default: stderr. */
  readonly onError?: (error: unknown) => void;
  /** Time to open a connection before giving up; default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Time a statement may go unanswered before it fails (and its batch is retried later): a server
   * that vanished without closing the connection must not stall the write queue forever. Default 60 s.
   */
  readonly queryTimeoutMs?: number;
  /** For tests standing in for a future schema version. */
  readonly migrations?: readonly string[];
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Epoch-ms columns are bigint and sum() of integers is bigint or numeric; pg hands both back as
// strings by default. Every value stored here stays far below 2^53, so numbers are exact.
// Set per pool, never on pg's global type table, so other pg users in the process are unaffected.
export const types: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/** Drops a connection URL's password from text that may quote it (driver and connect errors). */
export function redact(url: string): (error: unknown) => Error {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // Not a URL pg could use either; nothing to hide.
  }
  return (error) => {
    const err = error instanceof Error ? error : new Error(String(error));
    if (password) err.message = scrub(err.message, [password]);
    return err;
  };
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const clean = redact(options.url);
  const report = options.onError ?? ((error) => console.error(`pulsemap store: ${error instanceof Error ? error.message : String(error)}`));
  const connection = {
    connectionString: options.url,
    types,
    // A default: an application_name in the URL wins.
    application_name: 'pulsemap',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 4, query_timeout: options.queryTimeoutMs ?? 60_000 });
  // Without a listener an idle connection dropped by the server (restart, failover) would
  // crash the process; the pool replaces it on next use.
  // Once closed, a connection dropped while it shuts down is no news.
  let closed = false;
  pool.on('error', (error) => { if (!closed) report(clean(error)); });

  try {
    const client = new pg.Client(connection);
    client.on('error', () => {}); // a failure surfaces through the query that meets it
    await client.connect();
    try {
      await migrate(client, options.migrations);
    } finally {
      await client.end();
    }
  } catch (error) {
    closed = true;
    await pool.end().catch(() => undefined);
    throw clean(error);
  }

  const reads = createPostgresReads(pool);
  const series = createSeriesReads(async (query, params) =>
    (await pool.query({ name: `pulsemap_series_${query}`, text: SERIES_SQL[query], values: [...params] })).rows);
  const queue = createWriteQueue({
    write: createPostgresWriter(pool),
    onError: (error) => report(clean(error)),
    flushIntervalMs: options.flushIntervalMs,
    maxBatch: options.maxBatch,
  });

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    closed = true;
    await queue.close();
    await pool.end();
  }

  return {
    kind: 'postgres',

    saveResult: (result, state) => queue.addResult(result, state),
    saveState: (state) => queue.addState(state),
    saveTransition: (transition) => queue.addTransition(transition),
    flush: () => queue.flush(),
    backlog: () => queue.backlog(),

    ...flushingReads(queue, { ...reads, series }),
    async prune(olderThan, aggregatesOlderThan) {
      await queue.flush();
      try {
        return await prunePostgres(pool, olderThan, aggregatesOlderThan, () => closed);
      } catch (error) {
        // Closed mid-batch: shutdown wins, and what was deleted so far is committed.
        if (closed) return 0;
        throw clean(error);
      }
    },

    outboxAdd: (message) => reads.outboxAdd(message),
    outboxDue: (now, limit) => reads.outboxDue(now, limit),
    outboxSent: (id, at) => reads.outboxSent(id, at),
    outboxRetry: (id, error, nextAttemptAt) => reads.outboxRetry(id, error, nextAttemptAt),
    outboxDrop: (id, reason, at) => reads.outboxDrop(id, reason, at),
    outboxDepth: () => reads.outboxDepth(),
    getMeta: (key) => reads.getMeta(key),
    setMeta: (key, value) => reads.setMeta(key, value),
    setMetaMany: (entries) => reads.setMetaMany(entries),

    // Concurrent calls share one close; after a failed final write, calling again retries it.
    close() {
      closing ??= close().catch((error: unknown) => {
        closing = null;
        throw clean(error);
      });
      return closing;
    },
  };
}
