// Uptime windows change slowly; computing them for thousands of entities on every request
// would make the API's cost grow with the fleet. One query for all, refreshed at most every ttl.
// Each window's figure comes with its coverage: the share of the window after the entity's
// first check, so 25 minutes of data do not read like a full month.
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import type { Uptime } from '../types.ts';
import { coverageOf, WINDOWS } from '../series/windows.ts';

export type UptimeWindow = keyof Uptime;
const UPTIME_WINDOWS: readonly UptimeWindow[] = ['24h', '7d', '30d'];

/** Share of each window (0..1) that has data. */
export type UptimeCoverage = { readonly [W in UptimeWindow]: number };

export interface UptimeFigures {
  readonly uptime: Uptime;
  readonly coverage: UptimeCoverage;
}

export const NO_UPTIME: UptimeFigures = {
  uptime: { '24h': null, '7d': null, '30d': null },
  coverage: { '24h': 0, '7d': 0, '30d': 0 },
};

export function uptimeCoverage(first: number | null, now: number): UptimeCoverage {
  const of = (w: UptimeWindow) => coverageOf(first, now - WINDOWS[w].length, now);
  return Object.fromEntries(UPTIME_WINDOWS.map((w) => [w, of(w)])) as UptimeCoverage;
}

export interface UptimeCache {
  get(name: string): Promise<UptimeFigures>;
  /** Every entity's windows at once: one await for a whole list instead of one per entity. */
  snapshot(): Promise<ReadonlyMap<string, UptimeFigures>>;
}

export function createUptimeCache(store: Store, clock: Pick<Clock, 'now'>, ttlMs = 10_000): UptimeCache {
  const now = (): number => clock.now();
  let values = new Map<string, UptimeFigures>();
  // A first check only moves when the store prunes (by less than an hour, or after 400 days),
  // so first checks are read again only when an entity with figures has none known yet.
  let firsts = new Map<string, number>();
  let fetchedAt = -Infinity;
  let pending: Promise<void> | null = null;

  async function load(): Promise<void> {
    const at = now();
    const all = await store.uptimeAll(at);
    const unknown = [...all].some(([name, u]) => u['30d'] !== null && !firsts.has(name));
    if (unknown) firsts = await store.firstChecks();
    values = new Map([...all].map(([name, uptime]) => [name, { uptime, coverage: uptimeCoverage(firsts.get(name) ?? null, at) }]));
    fetchedAt = at;
  }

  function refresh(): Promise<void> {
    if (pending) return pending;
    const started = load().finally(() => { pending = null; });
    pending = started;
    return started;
  }

  // While the store cannot answer, the last figures stand (none before the first answer):
  // the entity documents come from memory and never fail for want of uptime.
  async function snapshot(): Promise<ReadonlyMap<string, UptimeFigures>> {
    if (now() - fetchedAt > ttlMs) await refresh().catch(() => undefined);
    return values;
  }

  return {
    get: async (name) => (await snapshot()).get(name) ?? NO_UPTIME,
    snapshot,
  };
}
