// The alert outbox and the meta key-value area. Unlike results these are written at once, each
// statement its own transaction: losing a queued alert on a crash would mean never sending it.

import type { DatabaseSync } from 'node:sqlite';
import type { NewOutboxMessage, OutboxMessage } from './store.ts';

export interface SqliteOutbox {
  outboxAdd(message: NewOutboxMessage): boolean;
  outboxDue(now: number, limit: number): OutboxMessage[];
  outboxSent(id: number, at: number): void;
  outboxRetry(id: number, error: string, nextAttemptAt: number): void;
  outboxDrop(id: number, reason: string, at: number): void;
  outboxDepth(): number;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
  setMetaMany(entries: readonly (readonly [string, string])[]): void;
}

const PENDING = 'sent_at IS NULL AND dropped_at IS NULL';

export function createSqliteOutbox(db: DatabaseSync): SqliteOutbox {
  const add = db.prepare(`
    INSERT INTO outbox (channel, key, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (key) DO NOTHING`);
  const due = db.prepare(`
    SELECT id, channel, key, payload, created_at, attempts, next_attempt_at, last_error FROM outbox
    WHERE ${PENDING} AND next_attempt_at <= ? ORDER BY id LIMIT ?`);
  const sent = db.prepare(`UPDATE outbox SET sent_at = ? WHERE id = ? AND ${PENDING}`);
  const retry = db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND ${PENDING}`,
  );
  const drop = db.prepare(
    `UPDATE outbox SET dropped_at = ?, drop_reason = ? WHERE id = ? AND ${PENDING}`,
  );
  const depth = db.prepare(`SELECT count(*) AS n FROM outbox WHERE ${PENDING}`);
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');

  return {
    outboxAdd: (m) => add.run(m.channel, m.key, m.payload, m.created_at, m.created_at).changes === 1,
    // Copied into plain objects: node:sqlite rows have a null prototype.
    outboxDue: (now, limit) => (due.all(now, limit) as unknown as OutboxMessage[]).map((row) => ({ ...row })),
    outboxSent: (id, at) => void sent.run(at, id),
    outboxRetry: (id, error, nextAttemptAt) => void retry.run(error, nextAttemptAt, id),
    outboxDrop: (id, reason, at) => void drop.run(at, reason, id),
    outboxDepth: () => (depth.get() as { n: number }).n,
    getMeta: (key) => (getMeta.get(key) as { value: string } | undefined)?.value ?? null,
    setMeta: (key, value) => void setMeta.run(key, value),
    setMetaMany(entries) {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const [key, value] of entries) setMeta.run(key, value);
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
