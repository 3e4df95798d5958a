// Queries of the PostgreSQL store, and the outbox and meta statements (written at once, each
// its own transaction: losing a queued alert on a crash would mean never sending it).
// Entities are looked up by name inside each query, so another process's entities are seen.

import type { ClientBase, Pool } from 'pg';
import type { EntityState, HistoryEntry, Transition, Uptime } from '../types.ts';
import type { HistoryQuery, NewOutboxMessage, OutboxMessage } from './store.ts';
import { historyFromRow, stateFromRow, transitionFromRow, uptimeBounds, uptimeFromSums } from './encoding.ts';
import type { ResultRow, StateRow, TransitionRow, UptimeSums } from './encoding.ts';

// Sums per window over one entity's hour buckets; see uptimeBounds for the window definition.
// $1 from24h, $2 from7d, $3 from30d, $4 to.
const UPTIME_SUMS = `
  sum(h.checks) FILTER (WHERE h.hour_start >= $1) AS c24,
  sum(h.successes) FILTER (WHERE h.hour_start >= $1) AS s24,
  sum(h.checks) FILTER (WHERE h.hour_start >= $2) AS c7,
  sum(h.successes) FILTER (WHERE h.hour_start >= $2) AS s7,
  sum(h.checks) AS c30,
  sum(h.successes) AS s30`;

const SELECT_STATES = 'SELECT e.name, s.* FROM states s JOIN entities e ON e.id = s.entity_id ORDER BY e.id';
// The entity id is an InitPlan, so the rest is a backward scan of results' primary key
// (entity_id, at) that stops after `limit` rows, however many results the table holds.
export const SELECT_HISTORY = `
  SELECT at, ok, status, latency_ms, message FROM results
  WHERE entity_id = (SELECT id FROM entities WHERE name = $1) AND at < $2
  ORDER BY at DESC LIMIT $3`;
const SELECT_TRANSITIONS = `
  SELECT at, from_status, to_status, message, blocked_by, prev_since FROM transitions
  WHERE entity_id = (SELECT id FROM entities WHERE name = $1)
  ORDER BY at DESC, id DESC LIMIT $2`;
const SELECT_UPTIME = `
  SELECT ${UPTIME_SUMS} FROM hourly h
  WHERE h.entity_id = (SELECT id FROM entities WHERE name = $5) AND h.hour_start >= $3 AND h.hour_start <= $4`;
const SELECT_UPTIME_ALL = `
  SELECT e.name, ${UPTIME_SUMS} FROM entities e
  LEFT JOIN hourly h ON h.entity_id = e.id AND h.hour_start >= $3 AND h.hour_start <= $4
  GROUP BY e.id, e.name`;

const PENDING = 'sent_at IS NULL AND dropped_at IS NULL';

export function createPostgresReads(pool: Pool | ClientBase) {
  const bounds = (now: number) => {
    const b = uptimeBounds(now);
    return [b.from24h, b.from7d, b.from30d, b.to];
  };

  return {
    async loadStates(): Promise<Map<string, EntityState>> {
      const states = new Map<string, EntityState>();
      for (const row of (await pool.query<StateRow>(SELECT_STATES)).rows) {
        states.set(row.name, stateFromRow(row));
      }
      return states;
    },

    async history(name: string, query: HistoryQuery): Promise<HistoryEntry[]> {
      if (query.limit <= 0) return [];
      const { rows } = await pool.query<ResultRow>(
        { name: 'pulsemap_history', text: SELECT_HISTORY, values: [name, query.before ?? Number.MAX_SAFE_INTEGER, query.limit] },
      );
      return rows.map(historyFromRow);
    },

    async transitions(name: string, limit: number): Promise<Transition[]> {
      if (limit <= 0) return [];
      const { rows } = await pool.query<TransitionRow>(SELECT_TRANSITIONS, [name, limit]);
      return rows.map((row) => transitionFromRow(name, row));
    },

    async uptime(name: string, now: number): Promise<Uptime> {
      const { rows } = await pool.query<UptimeSums>(SELECT_UPTIME, [...bounds(now), name]);
      return uptimeFromSums(rows[0]!);
    },

    async uptimeAll(now: number): Promise<Map<string, Uptime>> {
      const all = new Map<string, Uptime>();
      const { rows } = await pool.query<UptimeSums & { name: string }>(SELECT_UPTIME_ALL, bounds(now));
      for (const row of rows) all.set(row.name, uptimeFromSums(row));
      return all;
    },

    async outboxAdd(m: NewOutboxMessage): Promise<boolean> {
      const { rowCount } = await pool.query(
        `INSERT INTO outbox (channel, key, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (key) DO NOTHING`,
        [m.channel, m.key, m.payload, m.created_at],
      );
      return rowCount === 1;
    },
    async outboxDue(now: number, limit: number): Promise<OutboxMessage[]> {
      const { rows } = await pool.query<OutboxMessage>(
        `SELECT id, channel, key, payload, created_at, attempts, next_attempt_at, last_error FROM outbox
         WHERE ${PENDING} AND next_attempt_at <= $1 ORDER BY id LIMIT $2`,
        [now, limit],
      );
      return rows;
    },
    async outboxSent(id: number, at: number): Promise<void> {
      await pool.query(`UPDATE outbox SET sent_at = $1 WHERE id = $2 AND ${PENDING}`, [at, id]);
    },
    async outboxRetry(id: number, error: string, nextAttemptAt: number): Promise<void> {
      await pool.query(
        `UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3 AND ${PENDING}`,
        [error, nextAttemptAt, id],
      );
    },
    async outboxDrop(id: number, reason: string, at: number): Promise<void> {
      await pool.query(`UPDATE outbox SET dropped_at = $1, drop_reason = $2 WHERE id = $3 AND ${PENDING}`, [at, reason, id]);
    },
    async outboxDepth(): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM outbox WHERE ${PENDING}`);
      return rows[0]!.n;
    },
    async getMeta(key: string): Promise<string | null> {
      const { rows } = await pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
      return rows[0]?.value ?? null;
    },
    async setMeta(key: string, value: string): Promise<void> {
      await pool.query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },
    async setMetaMany(entries: readonly (readonly [string, string])[]): Promise<void> {
      // One statement may not update a row twice: the last value of each key.
      const last = new Map(entries);
      if (last.size === 0) return;
      await pool.query(
        'INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [[...last.keys()], [...last.values()]],
      );
    },
  };
}
