// Versioned schema for the SQLite store. The version lives in PRAGMA user_version (part of the
// database header, so it needs no table of its own). Migrations only ever get appended.

import type { DatabaseSync } from 'node:sqlite';

export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  -- Entities are never deleted: one removed from the configuration keeps its data and
  -- continues under the same id when it comes back. Results refer to the small integer id.
  CREATE TABLE entities (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );

  CREATE TABLE states (
    entity_id             INTEGER PRIMARY KEY,
    status                TEXT    NOT NULL,
    since                 INTEGER,
    lastcheck             INTEGER,
    success_count         INTEGER NOT NULL,
    fail_count            INTEGER NOT NULL,
    consecutive_failures  INTEGER NOT NULL,
    consecutive_successes INTEGER NOT NULL,
    blocked_by            TEXT,
    message               TEXT    NOT NULL,
    latency_ms            INTEGER,
    extra                 TEXT    NOT NULL, -- JSON object
    last_ok               INTEGER
  );

  -- The bulk of the file. WITHOUT ROWID stores each row once, in primary-key order, so the
  -- key is the only index and history(name, before) is a range scan on it. ok and small
  -- status codes take no payload bytes or one; message is NULL for plain passing results.
  CREATE TABLE results (
    entity_id  INTEGER NOT NULL,
    at         INTEGER NOT NULL, -- epoch ms when the check started
    ok         INTEGER NOT NULL, -- 0 | 1
    status     INTEGER NOT NULL, -- STATUS_CODES in encoding.ts
    latency_ms INTEGER,
    message    TEXT,
    PRIMARY KEY (entity_id, at)
  ) WITHOUT ROWID;

  -- Updated in the same transaction as results, so uptime costs one row per hour, not per check.
  CREATE TABLE hourly (
    entity_id     INTEGER NOT NULL,
    hour_start    INTEGER NOT NULL, -- epoch ms of the hour's start
    checks        INTEGER NOT NULL,
    successes     INTEGER NOT NULL,
    latency_count INTEGER NOT NULL, -- checks that had a latency: the divisor for latency_sum
    latency_sum   INTEGER NOT NULL,
    latency_min   INTEGER,
    latency_max   INTEGER,
    PRIMARY KEY (entity_id, hour_start)
  ) WITHOUT ROWID;

  CREATE TABLE transitions (
    id          INTEGER PRIMARY KEY,
    entity_id   INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    blocked_by  TEXT,
    prev_since  INTEGER
  );
  CREATE INDEX transitions_entity_at ON transitions (entity_id, at);

  CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: ids order delivery
    channel         TEXT    NOT NULL,
    key             TEXT    NOT NULL UNIQUE,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         INTEGER,
    dropped_at      INTEGER,
    drop_reason     TEXT
  );
  -- Only pending messages are indexed: delivered ones pile up but are never scanned for work.
  CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND dropped_at IS NULL;

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: latency histograms per hour bucket, for percentiles beyond the raw results' retention
  `
  CREATE TABLE hourly_latency (
    entity_id  INTEGER NOT NULL,
    hour_start INTEGER NOT NULL,
    bucket     INTEGER NOT NULL, -- latencyBucket in histogram.ts
    count      INTEGER NOT NULL,
    PRIMARY KEY (entity_id, hour_start, bucket)
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return row.user_version;
}

/**
 * Brings the schema up to SCHEMA_VERSION, each step in its own transaction. BEGIN IMMEDIATE
 * takes the write lock before reading the version, so two processes opening the same fresh
 * file cannot both apply a step.
 */
export function migrate(db: DatabaseSync): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = userVersion(db);
      if (version > SCHEMA_VERSION) {
        throw new Error(
          `store schema version ${version} is newer than this pulsemap supports (${SCHEMA_VERSION}); upgrade pulsemap`,
        );
      }
      if (version === SCHEMA_VERSION) {
        db.exec('COMMIT');
        return;
      }
      db.exec(MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}
