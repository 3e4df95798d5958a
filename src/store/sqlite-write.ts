// Writes one queued batch (results, hourly aggregates, states, transitions) in one SQLite
// transaction, so after a crash every committed batch is complete and its parts agree.

import type { DatabaseSync } from 'node:sqlite';
import type { EntityState, Transition } from '../types.ts';
import type { StoredResult } from './store.ts';
import type { WriteBatch } from './queue.ts';
import { createHourlyDeltas, latencyToStore, messageToStore, STATUS_CODES } from './encoding.ts';
import type { HourlyDeltas } from './encoding.ts';

interface OldResult {
  ok: number;
  status: number;
  latency_ms: number | null;
}

/**
 * `onHourly` hears the oldest hour bucket each batch touched (before it commits: a rollback
 * only makes a cache recompute needlessly).
 */
export function createSqliteWriter(db: DatabaseSync, onHourly: (oldestHour: number) => void): (batch: WriteBatch) => void {
  const ids = new Map<string, number>();
  const loadIds = () => {
    ids.clear();
    for (const row of db.prepare('SELECT id, name FROM entities').iterate()) {
      ids.set(row.name as string, row.id as number);
    }
  };
  loadIds();

  const insertEntity = db.prepare('INSERT INTO entities (name) VALUES (?)');
  // OR IGNORE + changes tells a new result from a duplicate (entity, at) without a lookup per row.
  const insertResult = db.prepare(
    'INSERT OR IGNORE INTO results (entity_id, at, ok, status, latency_ms, message) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectResult = db.prepare('SELECT ok, status, latency_ms FROM results WHERE entity_id = ? AND at = ?');
  const replaceResult = db.prepare(
    'UPDATE results SET ok = ?, status = ?, latency_ms = ?, message = ? WHERE entity_id = ? AND at = ?',
  );
  const upsertHourly = db.prepare(`
    INSERT INTO hourly (entity_id, hour_start, checks, successes, latency_count, latency_sum, latency_min, latency_max)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (entity_id, hour_start) DO UPDATE SET
      checks = checks + excluded.checks,
      successes = successes + excluded.successes,
      latency_count = latency_count + excluded.latency_count,
      latency_sum = latency_sum + excluded.latency_sum,
      latency_min = min(coalesce(latency_min, excluded.latency_min), coalesce(excluded.latency_min, latency_min)),
      latency_max = max(coalesce(latency_max, excluded.latency_max), coalesce(excluded.latency_max, latency_max))`);
  const upsertLatency = db.prepare(`
    INSERT INTO hourly_latency (entity_id, hour_start, bucket, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (entity_id, hour_start, bucket) DO UPDATE SET count = count + excluded.count`);
  const upsertState = db.prepare(`
    INSERT OR REPLACE INTO states (entity_id, status, since, lastcheck, success_count, fail_count,
      consecutive_failures, consecutive_successes, blocked_by, message, latency_ms, extra, last_ok)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertTransition = db.prepare(`
    INSERT INTO transitions (entity_id, at, from_status, to_status, message, blocked_by, prev_since)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);

  function entityId(name: string): number {
    let id = ids.get(name);
    if (id === undefined) {
      id = Number(insertEntity.run(name).lastInsertRowid);
      ids.set(name, id);
    }
    return id;
  }

  function writeResult(r: StoredResult, deltas: HourlyDeltas): void {
    const id = entityId(r.name);
    const ok = r.ok ? 1 : 0;
    const latency = latencyToStore(r.latency_ms);
    const message = messageToStore(r);
    const status = STATUS_CODES[r.status];
    if (insertResult.run(id, r.at, ok, status, latency, message).changes === 0) {
      // Same entity and start time again: the newer result replaces the stored one, and the
      // hourly counts take the old one back so they keep matching the results table.
      const old = selectResult.get(id, r.at) as unknown as OldResult;
      replaceResult.run(ok, status, latency, message, id, r.at);
      deltas.add(id, r.at, old.ok === 1, old.latency_ms, -1, old.status);
    }
    deltas.add(id, r.at, r.ok, latency, 1, status);
  }

  function writeState(s: EntityState): void {
    upsertState.run(
      entityId(s.name), s.status, s.since, s.lastcheck, s.success_count, s.fail_count,
      s.consecutive_failures, s.consecutive_successes, s.blocked_by, s.message,
      latencyToStore(s.latency_ms), JSON.stringify(s.extra), s.last_ok === null ? null : s.last_ok ? 1 : 0,
    );
  }

  function writeTransition(t: Transition): void {
    insertTransition.run(entityId(t.name), t.at, t.from, t.to, t.message, t.blocked_by, t.prev_since);
  }

  return (batch) => {
    const deltas = createHourlyDeltas();
    // BEGIN IMMEDIATE takes the write lock up front: a reader in another process (the CLI)
    // then makes us wait for busy_timeout instead of failing halfway through the batch.
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const r of batch.results) writeResult(r, deltas);
      let oldestHour = Infinity;
      for (const d of deltas.values()) {
        upsertHourly.run(d.entityId, d.hour, d.checks, d.successes, d.latencyCount, d.latencySum, d.latencyMin, d.latencyMax);
        for (const [bucket, count] of d.histogram) if (count !== 0) upsertLatency.run(d.entityId, d.hour, bucket, count);
        oldestHour = Math.min(oldestHour, d.hour);
      }
      onHourly(oldestHour);
      for (const s of batch.states.values()) writeState(s);
      for (const t of batch.transitions) writeTransition(t);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      // Ids handed out inside the rolled-back transaction no longer exist.
      loadIds();
      throw error;
    }
  };
}
