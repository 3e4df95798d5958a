// A manual clock for the scheduler and monitor: time moves only when a test advances it, and
// every timer due on the way fires in order, with pending promise work settled between them.
import type { Clock } from '../../src/clock.ts';

export interface FakeClock extends Clock {
  advance(ms: number): Promise<void>;
  pendingTimers(): number;
}

export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      seq += 1;
      timers.set(seq, { at: now + Math.max(0, ms), fn });
      return seq;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pendingTimers: () => timers.size,
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        let id = -1;
        let due = Infinity;
        for (const [k, t] of timers) {
          if (t.at <= end && t.at < due) { id = k; due = t.at; }
        }
        if (id < 0) break;
        const timer = timers.get(id)!;
        timers.delete(id);
        now = Math.max(now, timer.at);
        timer.fn();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}
