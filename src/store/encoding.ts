// Engine-neutral rules for how results are stored, shared by every Store implementation so
// SQLite and PostgreSQL answer the same questions with the same figures.

import type { EntityState, Extra, HistoryEntry, Status, Transition, Uptime } from '../types.ts';
import type { StoredResult } from './store.ts';
import { latencyBucket } from './histogram.ts';

/**
 * Small integer codes for statuses in the results table. Written to disk, so the numbers are
 * fixed here rather than taken from the order of STATUSES (which may change).
 */
export const STATUS_CODES: Readonly<Record<Status, number>> = {
  unknown: 0,
  ok: 1,
  degraded: 2,
  pending: 3,
  error: 4,
  blocked: 5,
  maintenance: 6,
};

const STATUS_BY_CODE: ReadonlyMap<number, Status> = new Map(
  Object.entries(STATUS_CODES).map(([status, code]) => [code, status as Status]),
);

export function statusFromCode(code: number): Status {
  return STATUS_BY_CODE.get(code) ?? 'unknown';
}

/** What history shows for a plain passing result, whose own message is not kept. */
export const PASSING_MESSAGE = 'ok';

/**
 * Messages are kept only where they explain something: a failed check, or a passing one that
 * left the entity in another status than `ok` (degraded, still in error while recovering...).
 * Plain passing results are the vast majority and their notes ("200 in 83 ms") repeat what the
 * other columns say; dropping them keeps a stored result at a couple of dozen bytes.
 */
export function messageToStore(result: StoredResult): string | null {
  return result.ok && result.status === 'ok' ? null : result.message;
}

export function messageFromStore(message: string | null): string {
  return message ?? PASSING_MESSAGE;
}

/** Latencies are stored as whole milliseconds. */
export function latencyToStore(latency: number | null): number | null {
  return latency === null || !Number.isFinite(latency) ? null : Math.max(0, Math.round(latency));
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function hourStart(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/**
 * Uptime windows, defined on hour buckets (a bucket is named by its start, epoch ms):
 * a window of length W ending at `now` sums the buckets whose start is
 * >= hourStart(now - W) and <= now. So the current, partial hour counts (its aggregate is
 * updated as results are written) and so does the whole hour in which the window begins:
 * "24h" spans between 24 and 25 hours of checks. Buckets after `now` are ignored.
 */
export interface UptimeBounds {
  readonly from24h: number;
  readonly from7d: number;
  readonly from30d: number;
  readonly to: number;
}

export function uptimeBounds(now: number): UptimeBounds {
  return {
    from24h: hourStart(now - DAY_MS),
    from7d: hourStart(now - 7 * DAY_MS),
    from30d: hourStart(now - 30 * DAY_MS),
    to: now,
  };
}

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function ratio(successes: number | null, checks: number | null): number | null {
  return checks === null || checks === 0 ? null : round4((successes ?? 0) / checks);
}

/** Sums of checks and successes per window, as an aggregate query returns them. */
export interface UptimeSums {
  readonly c24: number | null;
  readonly s24: number | null;
  readonly c7: number | null;
  readonly s7: number | null;
  readonly c30: number | null;
  readonly s30: number | null;
}

export function uptimeFromSums(sums: UptimeSums): Uptime {
  return {
    '24h': ratio(sums.s24, sums.c24),
    '7d': ratio(sums.s7, sums.c7),
    '30d': ratio(sums.s30, sums.c30),
  };
}

/** Changes to the hourly aggregates collected while a batch is written, applied once per bucket. */
export interface HourlyDelta {
  readonly entityId: number;
  readonly hour: number;
  checks: number;
  successes: number;
  latencyCount: number;
  latencySum: number;
  latencyMin: number | null;
  latencyMax: number | null;
  /** Latency histogram changes: bucket (histogram.ts) -> count. */
  readonly histogram: Map<number, number>;
}

export interface HourlyDeltas {
  /**
   * Count a result (sign 1), or take back one that was replaced (sign -1). A result taken
   * during maintenance (`status` code) adds its latency but is not a check for uptime.
   */
  add(entityId: number, at: number, ok: boolean, latency: number | null, sign: 1 | -1, status: number): void;
  values(): Iterable<HourlyDelta>;
}

/**
 * Min and max cannot be taken back when a result is replaced; they stay as bounds of what was
 * ever seen in that hour. Counts and sums stay exact.
 */
export function createHourlyDeltas(): HourlyDeltas {
  const deltas = new Map<string, HourlyDelta>();
  return {
    add(entityId, at, ok, latency, sign, status) {
      const hour = hourStart(at);
      const key = `${entityId}:${hour}`;
      let d = deltas.get(key);
      if (d === undefined) {
        d = { entityId, hour, checks: 0, successes: 0, latencyCount: 0, latencySum: 0, latencyMin: null, latencyMax: null, histogram: new Map() };
        deltas.set(key, d);
      }
      if (status !== STATUS_CODES.maintenance) {
        d.checks += sign;
        if (ok) d.successes += sign;
      }
      if (latency !== null) {
        d.latencyCount += sign;
        d.latencySum += sign * latency;
        const bucket = latencyBucket(latency);
        d.histogram.set(bucket, (d.histogram.get(bucket) ?? 0) + sign);
        if (sign > 0) {
          d.latencyMin = d.latencyMin === null ? latency : Math.min(d.latencyMin, latency);
          d.latencyMax = d.latencyMax === null ? latency : Math.max(d.latencyMax, latency);
        }
      }
    },
    values: () => deltas.values(),
  };
}

/** SQLite has no booleans: 0/1 there, true/false in PostgreSQL. */
const bool = (v: boolean | number): boolean => v === true || v === 1;

/** A `states` row as both engines return it (joined with the entity's name). */
export interface StateRow {
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
  last_ok: boolean | number | null;
}

export interface ResultRow {
  at: number;
  ok: boolean | number;
  status: number;
  latency_ms: number | null;
  message: string | null;
}

export interface TransitionRow {
  at: number;
  from_status: Status;
  to_status: Status;
  message: string;
  blocked_by: string | null;
  prev_since: number | null;
}

export function stateFromRow(row: StateRow): EntityState {
  return {
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
    last_ok: row.last_ok === null ? null : bool(row.last_ok),
  };
}

export function historyFromRow(row: ResultRow): HistoryEntry {
  return {
    at: row.at,
    ok: bool(row.ok),
    status: statusFromCode(row.status),
    latency_ms: row.latency_ms,
    message: messageFromStore(row.message),
  };
}

export function transitionFromRow(name: string, row: TransitionRow): Transition {
  return {
    name,
    from: row.from_status,
    to: row.to_status,
    at: row.at,
    message: row.message,
    blocked_by: row.blocked_by,
    prev_since: row.prev_since,
  };
}
