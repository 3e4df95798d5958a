// Keeps each watched entity's flapping state from its results and says when it starts or stops.
// Seeded from the stored history at start, so a restart continues where it was.
import type { CheckResult, Config, Entity } from '../types.ts';
import type { MonitorSubscriber } from './monitor.ts';
import type { Store } from '../store/store.ts';
import { FLAP_WINDOW, NOT_FLAPPING, stepFlap } from './flapping.ts';
import type { FlapState } from './flapping.ts';

export interface FlapChange {
  readonly name: string;
  readonly flapping: boolean;
  /** The share of changes, in percent. */
  readonly percent: number;
  /** Epoch ms of the result that changed it. */
  readonly at: number;
}

export interface FlapTracker extends MonitorSubscriber {
  /** Reads the last results of every watched entity from the store. */
  seed(store: Store, config: Config): Promise<void>;
  isFlapping(name: string): boolean;
  /** Told when an entity starts or stops flapping (not when seeding). */
  listen(fn: (change: FlapChange) => void): void;
}

export function createFlapTracker(): FlapTracker {
  const states = new Map<string, FlapState>();
  const listeners: ((change: FlapChange) => void)[] = [];

  function feed(entity: Entity, ok: boolean): FlapState | null {
    if (!entity.flapping) return null;
    const before = states.get(entity.name) ?? NOT_FLAPPING;
    const after = stepFlap(before, ok, entity.flapping);
    states.set(entity.name, after);
    return before.flapping === after.flapping ? null : after;
  }

  return {
    async seed(store, config) {
      for (const entity of config.entities) {
        if (!entity.flapping) continue;
        const rows = await store.history(entity.name, { limit: FLAP_WINDOW });
        states.delete(entity.name);
        for (const row of [...rows].reverse()) feed(entity, row.ok);
      }
    },
    isFlapping: (name) => states.get(name)?.flapping ?? false,
    listen(fn) {
      listeners.push(fn);
    },
    onResult(entity: Entity, result: CheckResult) {
      const changed = feed(entity, result.ok);
      if (changed === null) return;
      const change = { name: entity.name, flapping: changed.flapping, percent: changed.percent, at: result.at };
      for (const fn of listeners) fn(change);
    },
    onConfig(config: Config) {
      const watched = new Set(config.entities.filter((e) => e.flapping).map((e) => e.name));
      for (const name of states.keys()) if (!watched.has(name)) states.delete(name);
    },
  };
}
