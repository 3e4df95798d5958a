// Buckets of a series from what the store returns: raw results (exact percentiles) or hour
// aggregates (percentiles from their latency histograms), plus the status time from the
// transitions. Pure: the same data always gives the same series.

import type { HourAggregate, SeriesPoint } from '../store/store.ts';
import { exactPercentile, histogramPercentile } from '../store/histogram.ts';
import { round4 } from '../store/encoding.ts';
import type { BucketRange } from './windows.ts';
import { coverageOf } from './windows.ts';
import { noSeconds, spreadSegments, TIMED_STATUSES } from './timeline.ts';
import type { Seconds, Segment } from './timeline.ts';

/** What one member (the entity itself, or each entity of a group) contributes. */
export interface MemberData {
  readonly points?: readonly SeriesPoint[];
  readonly hours?: readonly HourAggregate[];
  readonly first: number | null;
}

export interface Latency {
  readonly min: number | null;
  readonly avg: number | null;
  readonly p95: number | null;
  readonly max: number | null;
}

export interface Bucket {
  readonly at: string;
  readonly checks: number;
  readonly failures: number;
  readonly latency_ms: Latency;
  /** Seconds spent in each status within the bucket. */
  readonly seconds: Seconds;
}

export interface SeriesBody {
  readonly step_s: number;
  readonly from: string;
  readonly to: string;
  /** Share of the window after the first check: 0.02 after 30 minutes of a 24h window. */
  readonly coverage: number;
  /** Passed checks / checks over the window; null without checks. */
  readonly uptime: number | null;
  readonly buckets: Bucket[];
}

interface Acc {
  checks: number;
  failures: number;
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  values: number[];
  histogram: Map<number, number>;
}

const newAcc = (): Acc => ({ checks: 0, failures: 0, count: 0, sum: 0, min: null, max: null, values: [], histogram: new Map() });

const lo = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const hi = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

function addPoint(acc: Acc, p: SeriesPoint): void {
  // As in the hourly aggregates: a result under maintenance is no check for uptime, its latency still counts.
  if (p.status !== 'maintenance') {
    acc.checks++;
    if (!p.ok) acc.failures++;
  }
  if (p.latency_ms === null) return;
  acc.count++;
  acc.sum += p.latency_ms;
  acc.min = lo(acc.min, p.latency_ms);
  acc.max = hi(acc.max, p.latency_ms);
  acc.values.push(p.latency_ms);
}

function addHour(acc: Acc, h: HourAggregate): void {
  acc.checks += h.checks;
  acc.failures += h.checks - h.successes;
  acc.count += h.latency_count;
  acc.sum += h.latency_sum;
  acc.min = lo(acc.min, h.latency_min);
  acc.max = hi(acc.max, h.latency_max);
  for (const [bucket, n] of h.histogram) acc.histogram.set(bucket, (acc.histogram.get(bucket) ?? 0) + n);
}

function latencyOf(acc: Acc, exact: boolean): Latency {
  if (acc.count === 0) return { min: null, avg: null, p95: null, max: null };
  const p95 = exact ? exactPercentile(acc.values, 0.95) : histogramPercentile(acc.histogram, 0.95);
  return {
    min: acc.min,
    avg: Math.round((acc.sum / acc.count) * 10) / 10,
    // A histogram bucket's floor may lie below the smallest latency actually seen.
    p95: p95 === null ? null : Math.min(hi(p95, acc.min)!, acc.max!),
    max: acc.max,
  };
}

const toSeconds = (ms: Seconds): Seconds =>
  Object.fromEntries(TIMED_STATUSES.map((s) => [s, Math.round(ms[s]) / 1000])) as Seconds;

export function buildSeries(range: BucketRange, members: readonly MemberData[], segments: readonly Segment[]): SeriesBody {
  const { from, to, step, count } = range;
  const accs = Array.from({ length: count }, newAcc);
  const index = (at: number) => Math.floor((at - from) / step);
  let exact = true;
  for (const m of members) {
    for (const p of m.points ?? []) if (p.at >= from && p.at <= to) addPoint(accs[index(p.at)]!, p);
    for (const h of m.hours ?? []) if (h.hour >= from && h.hour <= to) addHour(accs[index(h.hour)]!, h);
    if (m.hours) exact = false;
  }
  const time = accs.map(noSeconds);
  spreadSegments(segments, from, step, time);

  const firsts = members.map((m) => m.first).filter((f): f is number => f !== null);
  const first = firsts.length === 0 ? null : Math.min(...firsts);
  const coverage = coverageOf(first, from, to);
  const checks = accs.reduce((n, a) => n + a.checks, 0);
  const failures = accs.reduce((n, a) => n + a.failures, 0);

  return {
    step_s: step / 1000,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    coverage,
    uptime: checks === 0 ? null : round4((checks - failures) / checks),
    buckets: accs.map((acc, i) => ({
      at: new Date(from + i * step).toISOString(),
      checks: acc.checks,
      failures: acc.failures,
      latency_ms: latencyOf(acc, exact),
      seconds: toSeconds(time[i]!),
    })),
  };
}
