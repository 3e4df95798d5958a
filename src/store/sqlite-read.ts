// Queries of the SQLite store. Entities are looked up by name inside each query, so a reader
// in another process (the CLI) sees entities it has not cached.

import type { DatabaseSync } from 'node:sqlite';
import type { EntityState, HistoryEntry, Transition } from '../types.ts';
import type { HistoryQuery } from './store.ts';
import { historyFromRow, stateFromRow, transitionFromRow } from './encoding.ts';
import type { ResultRow, StateRow, TransitionRow } from './encoding.ts';

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
        states.set(row.name, stateFromRow(row));
      }
      return states;
    },

    history(name, query) {
      if (query.limit <= 0) return [];
      const rows = selectHistory.all(name, query.before ?? Number.MAX_SAFE_INTEGER, query.limit) as unknown as ResultRow[];
      return rows.map(historyFromRow);
    },

    transitions(name, limit) {
      if (limit <= 0) return [];
      const rows = selectTransitions.all(name, limit) as unknown as TransitionRow[];
      return rows.map((row) => transitionFromRow(name, row));
    },
  };
}
