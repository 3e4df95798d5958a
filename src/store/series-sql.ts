// The reads behind series and reports, written once for both engines: PostgreSQL takes the
// `$n` placeholders as they are, SQLite as `?n` (sqliteSql). Every query is a range on a
// primary key (entity_id, time), so a read costs the rows it returns.

import type { Transition } from '../types.ts';
import { HOUR_MS, statusFromCode, transitionFromRow } from './encoding.ts';
import type { TransitionRow } from './encoding.ts';
import type { HourAggregate, SeriesPoint, Store } from './store.ts';

const ENTITY = '(SELECT id FROM entities WHERE name = $1)';

// CAST: SQLite binds JS numbers as REAL, and the division must be an integer one.
const BUCKET = 'CAST($2 AS BIGINT) + ((hour_start - CAST($2 AS BIGINT)) / CAST($4 AS BIGINT)) * CAST($4 AS BIGINT)';

/** $1 name, $2 from, $3 to (exclusive), $4 bucket size in ms (hours and latency only). */
export const SERIES_SQL = {
  results: `SELECT at, ok, status, latency_ms FROM results WHERE entity_id = ${ENTITY} AND at >= $2 AND at < $3 ORDER BY at`,
  // Hour buckets summed into buckets of $4 ms starting at $2 (a day each for 90 days: 90 rows
  // and a few hundred histogram rows come back, not 2,160 and tens of thousands).
  hours: `SELECT ${BUCKET} AS hour_start, sum(checks) AS checks, sum(successes) AS successes,
    sum(latency_count) AS latency_count, sum(latency_sum) AS latency_sum, min(latency_min) AS latency_min, max(latency_max) AS latency_max
    FROM hourly WHERE entity_id = ${ENTITY} AND hour_start >= $2 AND hour_start < $3 GROUP BY 1 ORDER BY 1`,
  latency: `SELECT ${BUCKET} AS hour_start, bucket, sum(count) AS count FROM hourly_latency
    WHERE entity_id = ${ENTITY} AND hour_start >= $2 AND hour_start < $3 AND count > 0 GROUP BY 1, 2 ORDER BY 1, 2`,
  transitionsBefore: `SELECT at, from_status, to_status, message, blocked_by, prev_since FROM transitions
    WHERE entity_id = ${ENTITY} AND at < $2 ORDER BY at DESC, id DESC LIMIT 1`,
  transitions: `SELECT at, from_status, to_status, message, blocked_by, prev_since FROM transitions
    WHERE entity_id = ${ENTITY} AND at >= $2 AND at < $3 ORDER BY at, id`,
  firstResult: `SELECT min(at) AS first FROM results WHERE entity_id = ${ENTITY}`,
  firstHour: `SELECT min(hour_start) AS first FROM hourly WHERE entity_id = ${ENTITY}`,
  // Two index lookups per entity (min over the primary key's leading column), no scan.
  firstAll: `SELECT e.name,
    (SELECT min(r.at) FROM results r WHERE r.entity_id = e.id) AS first_result,
    (SELECT min(h.hour_start) FROM hourly h WHERE h.entity_id = e.id) AS first_hour
    FROM entities e`,
} as const;

export type SeriesQuery = keyof typeof SERIES_SQL;

export const sqliteSql = (sql: string): string => sql.replace(/\$(\d+)/g, '?$1');

export interface PointRow { at: number; ok: boolean | number; status: number; latency_ms: number | null }
export interface HourRow {
  hour_start: number; checks: number; successes: number; latency_count: number; latency_sum: number;
  latency_min: number | null; latency_max: number | null;
}
export interface LatencyRow { hour_start: number; bucket: number; count: number }

export function pointFromRow(row: PointRow): SeriesPoint {
  return { at: row.at, ok: row.ok === true || row.ok === 1, status: statusFromCode(row.status), latency_ms: row.latency_ms };
}

export function hoursFromRows(hours: readonly HourRow[], latency: readonly LatencyRow[]): HourAggregate[] {
  const histograms = new Map<number, Map<number, number>>();
  for (const row of latency) {
    let h = histograms.get(row.hour_start);
    if (h === undefined) histograms.set(row.hour_start, (h = new Map()));
    h.set(row.bucket, row.count);
  }
  return hours.map((row) => ({
    hour: row.hour_start,
    checks: row.checks,
    successes: row.successes,
    latency_count: row.latency_count,
    latency_sum: row.latency_sum,
    latency_min: row.latency_min,
    latency_max: row.latency_max,
    histogram: histograms.get(row.hour_start) ?? new Map(),
  }));
}

export function transitionsFromRows(name: string, before: readonly TransitionRow[], within: readonly TransitionRow[]): Transition[] {
  return [...before, ...within].map((row) => transitionFromRow(name, row));
}

/**
 * The first stored check: the oldest raw result when it lies in the oldest hour bucket, else
 * that bucket's start (raw results of that time were pruned).
 */
export function firstCheckFrom(firstResult: number | null, firstHour: number | null): number | null {
  if (firstHour === null) return firstResult;
  return firstResult !== null && firstResult < firstHour + HOUR_MS ? firstResult : firstHour;
}

/** Runs one of SERIES_SQL with its parameters on an engine. */
export type SeriesRunner = (query: SeriesQuery, params: readonly (string | number)[]) => unknown[] | Promise<unknown[]>;

export type SeriesReads = Pick<Store, 'resultsBetween' | 'hoursBetween' | 'transitionsBetween' | 'firstCheck' | 'firstChecks'>;

export function createSeriesReads(run: SeriesRunner): SeriesReads {
  const rows = async <R>(query: SeriesQuery, ...params: (string | number)[]) => (await run(query, params)) as R[];
  return {
    async resultsBetween(name, from, to) {
      return (await rows<PointRow>('results', name, from, to)).map(pointFromRow);
    },
    async hoursBetween(name, from, to, step = HOUR_MS) {
      return hoursFromRows(await rows<HourRow>('hours', name, from, to, step), await rows<LatencyRow>('latency', name, from, to, step));
    },
    async transitionsBetween(name, from, to) {
      return transitionsFromRows(name, await rows<TransitionRow>('transitionsBefore', name, from), await rows<TransitionRow>('transitions', name, from, to));
    },
    async firstCheck(name) {
      const [r] = await rows<{ first: number | null }>('firstResult', name);
      const [h] = await rows<{ first: number | null }>('firstHour', name);
      return firstCheckFrom(r?.first ?? null, h?.first ?? null);
    },
    async firstChecks() {
      const all = new Map<string, number>();
      for (const row of await rows<{ name: string; first_result: number | null; first_hour: number | null }>('firstAll')) {
        const first = firstCheckFrom(row.first_result, row.first_hour);
        if (first !== null) all.set(row.name, first);
      }
      return all;
    },
  };
}
