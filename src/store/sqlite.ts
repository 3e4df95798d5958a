// The embedded store: one SQLite file under the data directory, through node:sqlite.

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import type { Store } from './store.ts';
import { createWriteQueue, flushingReads } from './queue.ts';
import { migrate } from './sqlite-migrations.ts';
import { createSqliteWriter } from './sqlite-write.ts';
import { createSqliteReads } from './sqlite-read.ts';
import { createSqliteOutbox } from './sqlite-outbox.ts';
import { createSqliteUptime } from './sqlite-uptime.ts';
import { pruneSqlite } from './sqlite-prune.ts';
import { createSeriesReads, SERIES_SQL, sqliteSql } from './series-sql.ts';
import type { SeriesQuery } from './series-sql.ts';

export interface SqliteStoreOptions {
  /** Data directory, created when missing. */
  readonly dir: string;
  /** File name inside `dir`; default pulsemap.db. */
  readonly file?: string;
  /** How long a queued write may wait; default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Queued results and transitions that trigger a write at once; default 1000. */
  readonly maxBatch?: number;
  /** Failures of timer-driven writes (the batch is kept and retried); default: stderr. */
  readonly onError?: (error: unknown) => void;
}

/** How long a statement waits for another process's lock (the CLI reading the file) before failing. */
const BUSY_TIMEOUT_MS = 5_000;

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  mkdirSync(options.dir, { recursive: true });
  const file = join(options.dir, options.file ?? 'pulsemap.db');
  const db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // WAL: readers never block the writer. synchronous=NORMAL in WAL mode keeps every committed
    // transaction through a process crash (kill -9); only a power loss can take the last few.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    // Checkpoints leave the WAL file at its high-water mark; cap what stays on disk.
    db.exec('PRAGMA journal_size_limit = 67108864');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const reads = createSqliteReads(db);
  const uptime = createSqliteUptime(db);
  const outbox = createSqliteOutbox(db);
  const seriesStatements = new Map<SeriesQuery, StatementSync>();
  const series = createSeriesReads((query, params) => {
    let statement = seriesStatements.get(query);
    if (statement === undefined) seriesStatements.set(query, (statement = db.prepare(sqliteSql(SERIES_SQL[query]))));
    return statement.all(...params);
  });
  const writer = createSqliteWriter(db, (oldestHour) => uptime.changed(oldestHour));
  const opened = statSync(file).ino;
  const queue = createWriteQueue({
    // A file deleted under the running service (its directory removed) still takes writes through
    // the open handle, and all of them vanish with the process: refuse instead, so the store
    // counts as failing and /health says why.
    write(batch) {
      const now = statSync(file, { throwIfNoEntry: false });
      if (now?.ino !== opened) throw new Error(`the database file ${file} was removed or replaced; restart pulsemap to open a new one (or restore it from a backup)`);
      writer(batch);
    },
    onError: options.onError ?? ((error) => console.error('pulsemap store: write failed:', error)),
    flushIntervalMs: options.flushIntervalMs,
    maxBatch: options.maxBatch,
  });

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    await queue.close();
    db.exec('PRAGMA optimize');
    // Fold the WAL back into the main file and empty it, so the .db file alone is a
    // consistent copy once the service has stopped.
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    db.close();
  }

  return {
    kind: 'sqlite',

    saveResult: (result, state) => queue.addResult(result, state),
    saveState: (state) => queue.addState(state),
    saveTransition: (transition) => queue.addTransition(transition),
    flush: () => queue.flush(),
    backlog: () => queue.backlog(),

    ...flushingReads(queue, { ...reads, uptime: uptime.uptime, uptimeAll: uptime.uptimeAll, series }),
    async prune(olderThan, aggregatesOlderThan) {
      await queue.flush();
      try {
        return await pruneSqlite(db, olderThan, aggregatesOlderThan);
      } finally {
        uptime.changed(-Infinity);
      }
    },

    outboxAdd: async (message) => outbox.outboxAdd(message),
    outboxDue: async (now, limit) => outbox.outboxDue(now, limit),
    outboxSent: async (id, at) => outbox.outboxSent(id, at),
    outboxRetry: async (id, error, nextAttemptAt) => outbox.outboxRetry(id, error, nextAttemptAt),
    outboxDrop: async (id, reason, at) => outbox.outboxDrop(id, reason, at),
    outboxDepth: async () => outbox.outboxDepth(),
    getMeta: async (key) => outbox.getMeta(key),
    setMeta: async (key, value) => outbox.setMeta(key, value),
    setMetaMany: async (entries) => outbox.setMetaMany(entries),

    // Concurrent calls share one close; after a failed final write, calling again retries it.
    close() {
      closing ??= close().catch((error: unknown) => {
        closing = null;
        throw error;
      });
      return closing;
    },
  };
}
