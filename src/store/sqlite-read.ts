// Queries of the SQLite store. Entities are looked up by name inside each query, so a reader
// in another process (the CLI) sees entities it has not cached.

import type { DatabaseSync } from 'node:sqlite';
import type { EntityState, Extra, HistoryEntry, Status, Transition } from '../types.ts';
import type { HistoryQuery } from './store.ts';
import { messageFromStore, statusFromCode } from './encoding.ts';

interface StateRow {
  name: string;
  status: Status;
  since: number | null;
  lastcheck: number | null;
  success_count: number;
  fail_count: number;
  consecutive_failures: number;
  consecutive_successes: number;
  blocked_by: string | null;
  message: string;
  latency_ms: number | null;
  extra: string;
  last_ok: number | null;
}

interface ResultRow {
  at: number;
  ok: number;
  status: number;
  latency_ms: number | null;
  message: string | null;
}

interface TransitionRow {
  at: number;
  from_status: Status;
  to_status: Status;
  message: string;
  blocked_by: string | null;
  prev_since: number | null;
}

export interface SqliteReads {
  loadStates(): Map<string, EntityState>;
  history(name: string, query: HistoryQuery): HistoryEntry[];
  transitions(name: string, limit: number): Transition[];
}

export function createSqliteReads(db: DatabaseSync): SqliteReads {
  const selectStates = db.prepare(
    'SELECT e.name, s.* FROM states s JOIN entities e ON e.id = s.entity_id ORDER BY e.id',
  );
  const selectHistory = db.prepare(`
    SELECT at, ok, status, latency_ms, message FROM results
    WHERE entity_id = (SELECT id FROM entities WHERE name = ?) AND at < ?
    ORDER BY at DESC LIMIT ?`);
  const selectTransitions = db.prepare(`
    SELECT at, from_status, to_status, message, blocked_by, prev_since FROM transitions
    WHERE entity_id = (SELECT id FROM entities WHERE name = ?)
    ORDER BY at DESC, id DESC LIMIT ?`);

  return {
    loadStates() {
      const states = new Map<string, EntityState>();
      for (const row of selectStates.all() as unknown as StateRow[]) {
        states.set(row.name, {
          name: row.name,
          status: row.status,
          since: row.since,
          lastcheck: row.lastcheck,
          success_count: row.success_count,
          fail_count: row.fail_count,
          consecutive_failures: row.consecutive_failures,
          consecutive_successes: row.consecutive_successes,
          blocked_by: row.blocked_by,
          message: row.message,
          latency_ms: row.latency_ms,
          extra: JSON.parse(row.extra) as Extra,
          last_ok: row.last_ok === null ? null : row.last_ok === 1,
        });
      }
      return states;
    },

    history(name, query) {
      if (query.limit <= 0) return [];
      const rows = selectHistory.all(name, query.before ?? Number.MAX_SAFE_INTEGER, query.limit) as unknown as ResultRow[];
      return rows.map((row) => ({
        at: row.at,
        ok: row.ok === 1,
        status: statusFromCode(row.status),
        latency_ms: row.latency_ms,
        message: messageFromStore(row.message),
      }));
    },

    transitions(name, limit) {
      if (limit <= 0) return [];
      const rows = selectTransitions.all(name, limit) as unknown as TransitionRow[];
      return rows.map((row) => ({
        name,
        from: row.from_status,
        to: row.to_status,
        at: row.at,
        message: row.message,
        blocked_by: row.blocked_by,
        prev_since: row.prev_since,
      }));
    },
  };
}
