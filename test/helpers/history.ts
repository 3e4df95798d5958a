// Weeks of made-up check history for an entity, written through the Store interface: a daily
// latency wave with noise, a slow afternoon now and then, and a few outages with their
// transitions, as the monitor would have stored them. Used by the chart test, the screenshots
// and the series benchmark.
import type { Status, Transition } from '../../src/types.ts';
import type { Store } from '../../src/store/store.ts';
import { mulberry32 } from '../map/helpers.ts';

export interface HistoryOptions {
  readonly name: string;
  /** The newest check is just before this (epoch ms). */
  readonly now: number;
  readonly days: number;
  readonly intervalS: number;
  readonly seed?: number;
  /** Outages: [start hours before now, length in minutes]. */
  readonly outages?: readonly (readonly [number, number])[];
}

const DAY = 86_400_000;

/** When the seeded history begins: the first multiple of the interval inside the span. */
export function firstCheckAt(o: HistoryOptions): number {
  const step = o.intervalS * 1000;
  return Math.ceil((o.now - o.days * DAY) / step) * step;
}

/** Writes the history; returns the number of results. */
export async function seedHistory(store: Store, o: HistoryOptions): Promise<number> {
  const random = mulberry32(o.seed ?? 1);
  const step = o.intervalS * 1000;
  const outages = (o.outages ?? [[50, 25], [200, 8], [460, 70]]).map(([h, m]) => [o.now - h * 3_600_000, o.now - h * 3_600_000 + m * 60_000] as const);
  let status: Status = 'unknown';
  let since: number | null = null;
  let failures = 0;
  let count = 0;
  let passed = 0;
  for (let at = firstCheckAt(o); at < o.now; at += step) {
    const down = outages.some(([s, e]) => at >= s && at < e);
    failures = down ? failures + 1 : 0;
    const dayPart = Math.sin(((at % DAY) / DAY) * 2 * Math.PI);
    const slow = Math.floor(at / DAY) % 9 === 4 && dayPart > 0.6;
    const latency = down ? null : Math.round(40 + 25 * dayPart + random() * 30 + (random() < 0.01 ? 400 * random() : 0) + (slow ? 300 : 0));
    const next: Status = down ? (failures >= 3 ? 'error' : 'pending') : slow ? 'degraded' : 'ok';
    if (next !== status) {
      const t: Transition = { name: o.name, from: status, to: next, at, message: down ? 'timeout after 10 s' : 'ok', blocked_by: null, prev_since: since };
      store.saveTransition(t);
      status = next;
      since = at;
    }
    store.saveResult(
      { name: o.name, at, ok: !down, status, latency_ms: latency, message: down ? 'timeout after 10 s' : 'ok' },
      { name: o.name, status, since, lastcheck: at, success_count: down ? passed : ++passed, fail_count: count + 1 - passed, consecutive_failures: failures, consecutive_successes: down ? 0 : 1, blocked_by: null, message: down ? 'timeout after 10 s' : 'ok', latency_ms: latency, extra: {}, last_ok: !down },
    );
    if (++count % 5000 === 0) await store.flush();
  }
  await store.flush();
  return count;
}
