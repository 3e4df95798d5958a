// Retention for the PostgreSQL store. One DELETE of a week of results would hold its row locks
// and bloat the WAL in one go; small range deletes per entity along the primary key, each its
// own transaction, keep every step short and let the writer interleave.

import type { Pool } from 'pg';
import { HOUR_MS } from './encoding.ts';

const BATCH = 5_000;

/**
 * Removes results with `at < olderThan`; hour buckets that ended by `aggregatesOlderThan`, and
 * transitions and finished outbox messages older than it. Returns the number of results removed.
 * `stopped()` is asked between batches so closing the store does not wait for a long prune.
 */
export async function prunePostgres(
  pool: Pool,
  olderThan: number,
  aggregatesOlderThan: number,
  stopped: () => boolean,
): Promise<number> {
  const entities = await pool.query<{ id: number }>('SELECT id FROM entities ORDER BY id');
  let removed = 0;
  for (const { id } of entities.rows) {
    for (;;) {
      if (stopped()) return removed;
      // The at of the BATCH-th oldest result to delete bounds one range delete.
      const bound = await pool.query<{ at: number }>(
        `SELECT at FROM results WHERE entity_id = $1 AND at < $2 ORDER BY at OFFSET ${BATCH - 1} LIMIT 1`,
        [id, olderThan],
      );
      const upTo = bound.rows.length === 0 ? olderThan : bound.rows[0]!.at + 1;
      const deleted = await pool.query('DELETE FROM results WHERE entity_id = $1 AND at < $2', [id, upTo]);
      removed += deleted.rowCount ?? 0;
      if (bound.rows.length === 0) break;
    }
    await pool.query('DELETE FROM hourly WHERE entity_id = $1 AND hour_start <= $2', [id, aggregatesOlderThan - HOUR_MS]);
    await pool.query('DELETE FROM hourly_latency WHERE entity_id = $1 AND hour_start <= $2', [id, aggregatesOlderThan - HOUR_MS]);
    await pool.query('DELETE FROM transitions WHERE entity_id = $1 AND at < $2', [id, aggregatesOlderThan]);
  }
  // Keys of finished messages are kept as long as transitions, so a late duplicate is still refused.
  await pool.query('DELETE FROM outbox WHERE sent_at < $1 OR dropped_at < $1', [aggregatesOlderThan]);
  return removed;
}
