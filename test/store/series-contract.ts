// Series through the Store interface, checked against the raw results they summarise: part of
// the store contract (contract.ts), so both engines answer it. The expected figures are computed
// here from the raw results alone, with code independent of src/series.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Status, Transition } from '../../src/types.ts';
import type { Store, StoredResult } from '../../src/store/store.ts';
import { loadSeries } from '../../src/series/load.ts';
import { WINDOWS } from '../../src/series/windows.ts';
import type { WindowName } from '../../src/series/windows.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** First check: 22:50 UTC, so the data crosses hour and day boundaries (midnight 2026-11-21). */
const START = Date.UTC(2026, 10, 20, 22, 50);
const MIDNIGHT = Date.UTC(2026, 10, 21);

/** 10-second checks from START for 2 h 20 min, with failure runs, a degraded spell, a gap and a maintenance window. */
export function seriesFixture(name: string): { results: StoredResult[]; transitions: Transition[] } {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const results: StoredResult[] = [];
  let failures = 0;
  for (let at = START; at < START + 140 * MIN; at += 10_000) {
    const m = (at - START) / MIN;
    if (m >= 75 && m < 80) continue; // the monitor was down: no results
    const failing = (m >= 30 && m < 36) || (m >= 69 && m < 71) || (m >= 100 && m < 100.4) || (m >= 112 && m < 115);
    failures = failing ? failures + 1 : 0;
    const maintenance = m >= 110 && m < 118;
    const status: Status = maintenance ? 'maintenance' : failing ? (failures >= 3 ? 'error' : 'pending') : m >= 50 && m < 60 ? 'degraded' : 'ok';
    const latency = failing && rand() < 0.5 ? null : Math.round(5 + rand() * 300 + (m >= 50 && m < 60 ? 900 : 0));
    results.push({ name, at, ok: !failing, status, latency_ms: latency, message: failing ? 'timeout after 10 s' : 'ok' });
  }
  const transitions: Transition[] = [];
  let prev: { status: Status; since: number | null } = { status: 'unknown', since: null };
  for (const r of results) {
    if (r.status === prev.status) continue;
    transitions.push({ name, from: prev.status, to: r.status, at: r.at, message: r.message, blocked_by: null, prev_since: prev.since });
    prev = { status: r.status, since: r.at };
  }
  return { results, transitions };
}

interface Expected {
  at: string;
  checks: number;
  failures: number;
  min: number | null;
  avg: number | null;
  p95: number | null;
  max: number | null;
  seconds: Record<string, number>;
}

/** The buckets of `window` at `now`, straight from the raw results. */
function expectedFromRaw(results: readonly StoredResult[], window: WindowName, now: number): Expected[] {
  const { length, step } = WINDOWS[window];
  const last = Math.floor(now / step) * step;
  const out: Expected[] = [];
  for (let start = last - length + step; start <= last; start += step) {
    const end = Math.min(start + step, now + 1);
    const inside = results.filter((r) => r.at >= start && r.at < end);
    // Results under maintenance are no checks (their latency still counts).
    const counted = inside.filter((r) => r.status !== 'maintenance');
    const lat = inside.map((r) => r.latency_ms).filter((l): l is number => l !== null).sort((a, b) => a - b);
    const seconds: Record<string, number> = { ok: 0, degraded: 0, pending: 0, error: 0, blocked: 0, maintenance: 0 };
    results.forEach((r, i) => {
      const until = Math.min(results[i + 1]?.at ?? now, now);
      const overlap = Math.min(until, start + step) - Math.max(r.at, start);
      if (overlap > 0) seconds[r.status] += overlap / 1000;
    });
    out.push({
      at: new Date(start).toISOString(),
      checks: counted.length,
      failures: counted.filter((r) => !r.ok).length,
      min: lat[0] ?? null,
      max: lat.at(-1) ?? null,
      avg: lat.length ? Math.round((lat.reduce((a, b) => a + b, 0) / lat.length) * 10) / 10 : null,
      p95: lat.length ? lat[Math.ceil(0.95 * lat.length) - 1]! : null,
      seconds,
    });
  }
  return out;
}

const CASES: { window: WindowName; now: number; why: string }[] = [
  { window: '1h', now: MIDNIGHT + 20 * MIN + 30_000, why: 'minute buckets across midnight' },
  { window: '1h', now: START + 35 * MIN + 5_000, why: 'a window that begins before the first check' },
  { window: '24h', now: START + 140 * MIN, why: 'five-minute buckets over the whole fixture' },
  { window: '24h', now: MIDNIGHT + 6 * MIN, why: 'now inside a bucket, during a gap-free stretch' },
  { window: '7d', now: MIDNIGHT + 75 * MIN, why: 'hour buckets from the aggregates, inside the gap' },
  { window: '30d', now: START + 3 * HOUR, why: 'hour buckets after the last check' },
  { window: '90d', now: MIDNIGHT + 80 * MIN, why: 'day buckets across the day boundary' },
];

export function seriesContract(withStore: (fn: (store: Store) => Promise<void>) => Promise<void>): void {
  it('builds series equal to the raw results they summarise, across hour and day boundaries', () =>
    withStore(async (store) => {
      const { results, transitions } = seriesFixture('api');
      for (const r of results) store.saveResult(r, { name: 'api', status: r.status, since: null, lastcheck: r.at, success_count: 0, fail_count: 0, consecutive_failures: 0, consecutive_successes: 0, blocked_by: null, message: '', latency_ms: null, extra: {}, last_ok: r.ok });
      for (const t of transitions) store.saveTransition(t);
      for (const { window, now, why } of CASES) {
        const seen = results.filter((r) => r.at <= now);
        const series = await loadSeries(store, ['api'], window, now);
        const expected = expectedFromRaw(seen, window, now);
        assert.equal(series.buckets.length, expected.length, why);
        assert.equal(series.step_s, WINDOWS[window].step / 1000, why);
        const span = now - Date.parse(series.from);
        assert.equal(series.coverage, Math.round(((now - Math.max(START, Date.parse(series.from))) / span) * 1e6) / 1e6, why);
        series.buckets.forEach((b, i) => {
          const e = expected[i]!;
          const at = `${why}: ${window} bucket ${b.at}`;
          assert.deepEqual(
            [b.at, b.checks, b.failures, b.latency_ms.min, b.latency_ms.avg, b.latency_ms.max],
            [e.at, e.checks, e.failures, e.min, e.avg, e.max], at,
          );
          assert.deepEqual(b.seconds, e.seconds, at);
          if (WINDOWS[window].source === 'raw' || e.p95 === null) assert.equal(b.latency_ms.p95, e.p95, at);
          else {
            // From the hourly histograms: never above the exact value, at most 5 % (and 1 ms) below.
            assert.ok(b.latency_ms.p95! <= e.p95 && b.latency_ms.p95! >= e.p95 / 1.05 - 1, `${at}: p95 ${b.latency_ms.p95} vs ${e.p95}`);
          }
        });
      }
      const none = await loadSeries(store, ['nobody'], '24h', START);
      assert.equal(none.coverage, 0);
      assert.equal(none.uptime, null);
      assert.ok(none.buckets.every((b) => b.checks === 0 && b.latency_ms.avg === null && b.seconds.ok === 0));
    }));
}
