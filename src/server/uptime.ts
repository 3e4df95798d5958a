// Uptime windows change slowly; computing them for thousands of entities on every request
// would make the API's cost grow with the fleet. One query for all, refreshed at most every ttl.
import type { Store } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import type { Uptime } from '../types.ts';
import { NO_UPTIME } from './document.ts';

export interface UptimeCache {
  get(name: string): Promise<Uptime>;
  /** Every entity's windows at once: one await for a whole list instead of one per entity. */
  snapshot(): Promise<ReadonlyMap<string, Uptime>>;
}

export function createUptimeCache(store: Store, clock: Pick<Clock, 'now'>, ttlMs = 10_000): UptimeCache {
  const now = (): number => clock.now();
  let values = new Map<string, Uptime>();
  let fetchedAt = -Infinity;
  let pending: Promise<void> | null = null;

  function refresh(): Promise<void> {
    if (pending) return pending;
    const started = store.uptimeAll(now()).then(
      (all) => { values = all; fetchedAt = now(); },
    ).finally(() => { pending = null; });
    pending = started;
    return started;
  }

  async function snapshot(): Promise<ReadonlyMap<string, Uptime>> {
    if (now() - fetchedAt > ttlMs) await refresh();
    return values;
  }

  return {
    get: async (name) => (await snapshot()).get(name) ?? NO_UPTIME,
    snapshot,
  };
}
