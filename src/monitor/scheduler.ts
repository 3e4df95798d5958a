// Per-entity timers. Each entity has exactly one timer or one check in flight, never both, so a
// check never overlaps itself, and a slow target only delays its own next check.

import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';

export interface SchedulerOptions {
  readonly clock?: Clock;
  /**
   * Runs one check of the entity and everything it triggers. Must not reject. `lateMs`: how late
   * it starts against its plan; `now`: asked for through runNow rather than due by its timer.
   */
  readonly run: (name: string, lateMs: number, now: boolean) => Promise<void>;
  /** Milliseconds from the start of the check just finished to the start of the next one. */
  readonly nextDelay: (name: string) => number;
  /**
   * Checks start on a grid of this many ms (default 100): timers due close together then fire in
   * one wake-up of the process instead of one each, which at thousands of checks a second saves
   * more CPU than the checks themselves cost. A check starts at most this much after its plan.
   */
  readonly granularityMs?: number;
}

export interface Scheduler {
  /** Starts the entity's timer; its first check runs after `firstDelayMs`. */
  add(name: string, firstDelayMs: number): void;
  /** Cancels the entity's timer; a check in flight finishes but schedules nothing. */
  remove(name: string): void;
  /** Moves the next check (not one in flight) to `delayMs` from now. */
  reschedule(name: string, delayMs: number): void;
  /** Runs the check now, or joins the one in flight; the timer restarts after it. */
  runNow(name: string): Promise<void>;
  has(name: string): boolean;
  /** Checks in flight right now. */
  inFlight(): Promise<void>[];
  /** Cancels every timer; checks in flight are left to finish (the caller aborts them). */
  stop(): void;
}

interface Slot {
  timer: unknown;
  planned: number;
  running: Promise<void> | null;
  removed: boolean;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? systemClock;
  const grid = Math.max(1, options.granularityMs ?? 100);
  const slots = new Map<string, Slot>();
  let stopped = false;

  function arm(name: string, slot: Slot, at: number): void {
    if (slot.timer !== null) clock.clearTimeout(slot.timer);
    slot.planned = at;
    const fireAt = Math.ceil(at / grid) * grid;
    slot.timer = clock.setTimeout(() => {
      slot.timer = null;
      void start(name, slot);
    }, Math.max(0, fireAt - clock.now()));
  }

  function start(name: string, slot: Slot, now = false): Promise<void> {
    if (slot.running) return slot.running;
    if (slot.timer !== null) {
      clock.clearTimeout(slot.timer);
      slot.timer = null;
    }
    const startedAt = clock.now();
    const running = options.run(name, Math.max(0, startedAt - slot.planned), now).finally(() => {
      slot.running = null;
      if (stopped || slot.removed) return;
      // Keep the cadence from the planned start; a check that overran starts the next one now.
      const next = Math.max(clock.now(), Math.min(startedAt, slot.planned) + options.nextDelay(name));
      arm(name, slot, next);
    });
    slot.running = running;
    return running;
  }

  return {
    add(name, firstDelayMs) {
      if (stopped || slots.has(name)) return;
      const slot: Slot = { timer: null, planned: 0, running: null, removed: false };
      slots.set(name, slot);
      arm(name, slot, clock.now() + firstDelayMs);
    },
    remove(name) {
      const slot = slots.get(name);
      if (!slot) return;
      slot.removed = true;
      if (slot.timer !== null) clock.clearTimeout(slot.timer);
      slot.timer = null;
      slots.delete(name);
    },
    reschedule(name, delayMs) {
      const slot = slots.get(name);
      if (!slot || slot.running || stopped) return;
      arm(name, slot, clock.now() + delayMs);
    },
    runNow(name) {
      const slot = slots.get(name);
      if (!slot || stopped) return Promise.resolve();
      slot.planned = clock.now();
      return start(name, slot, true);
    },
    has: (name) => slots.has(name),
    inFlight: () => [...slots.values()].flatMap((s) => (s.running ? [s.running] : [])),
    stop() {
      stopped = true;
      for (const slot of slots.values()) {
        if (slot.timer !== null) clock.clearTimeout(slot.timer);
        slot.timer = null;
      }
    },
  };
}
