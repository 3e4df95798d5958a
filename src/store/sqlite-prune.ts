// Retention for the SQLite store. Deleting a week of results at once would hold the write lock
// (and the event loop: node:sqlite is synchronous) for seconds, so it goes in small range
// deletes per entity along the primary key, yielding to the event loop between them.

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DatabaseSync } from 'node:sqlite';
import { HOUR_MS } from './encoding.ts';

const BATCH = 5_000;

/**
 * Removes results with `at < olderThan`; hour buckets that ended by `aggregatesOlderThan`, and
 * transitions and finished outbox messages older than it. Returns the number of results removed.
 */
export async function pruneSqlite(db: DatabaseSync, olderThan: number, aggregatesOlderThan: number): Promise<number> {
  const entityIds = (db.prepare('SELECT id FROM entities').all() as { id: number }[]).map((row) => row.id);
  // The at of the BATCH-th oldest result to delete bounds one range delete.
  const nth = db.prepare(`SELECT at FROM results WHERE entity_id = ? AND at < ? ORDER BY at LIMIT 1 OFFSET ${BATCH - 1}`);
  const deleteResults = db.prepare('DELETE FROM results WHERE entity_id = ? AND at < ?');
  const deleteHourly = db.prepare('DELETE FROM hourly WHERE entity_id = ? AND hour_start <= ?');
  const deleteLatency = db.prepare('DELETE FROM hourly_latency WHERE entity_id = ? AND hour_start <= ?');
  const deleteTransitions = db.prepare('DELETE FROM transitions WHERE entity_id = ? AND at < ?');

  let removed = 0;
  for (const id of entityIds) {
    for (;;) {
      const bound = nth.get(id, olderThan) as { at: number } | undefined;
      const upTo = bound === undefined ? olderThan : bound.at + 1;
      removed += Number(deleteResults.run(id, upTo).changes);
      if (bound === undefined) break;
      await yieldToLoop();
      if (!db.isOpen) return removed; // closed while we yielded: shutdown wins
    }
    deleteHourly.run(id, aggregatesOlderThan - HOUR_MS);
    deleteLatency.run(id, aggregatesOlderThan - HOUR_MS);
    deleteTransitions.run(id, aggregatesOlderThan);
    await yieldToLoop();
    if (!db.isOpen) return removed;
  }
  // Keys of finished messages are kept as long as transitions, so a late duplicate is still refused.
  db.prepare('DELETE FROM outbox WHERE sent_at < ?1 OR dropped_at < ?1').run(aggregatesOlderThan);
  return removed;
}
