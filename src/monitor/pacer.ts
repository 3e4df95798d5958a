// How many checks run at once, decided from how busy the process is. A fixed number cannot be
// right for every estate: checks of slow or unreachable targets spend their time waiting on the
// network and need many slots to keep their cadence (300 ms targets at 500 checks a second need
// 150 at once; 1,000 targets that never answer, with a 5 s timeout, 500), while checks of fast
// targets on a process short of CPU only pile up when given more: each takes longer, holds its
// socket and memory longer, the collector works harder, checks time out and report healthy
// targets down, and the service does less the more it starts (measured at 20,000 entities on
// two cores: 1,981 checks/s with 100 at once, 1,558 with 1,000, 812 with no limit).
// The pacer starts at FLOOR and looks at the event loop's utilization (the share of time the
// process spent running rather than waiting for I/O) once a second: below CALM, while checks
// had to wait, it lets a quarter more run at once, up to `checks.max_in_flight`; above BUSY it
// lets a fifth fewer run, down to FLOOR again; between the two it holds. The thresholds are low
// on purpose: the first interval after a start is calm until it is not, and a limit grown to
// 1,000 by then sent the 20,000-entity estate into the pile-up above before it came down again
// (1,343 checks/s with thresholds at 80 % and 90 %, 1,888 at 50 % and 75 %). It does not go
// below FLOOR: a process short of CPU is as busy with 16 checks at once as with 100, and with 16
// it did less (1,219 checks/s in the same run as the 1,981).
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { Clock } from '../clock.ts';
import type { Limiter } from './limiter.ts';

export const BUSY = 0.75;
export const CALM = 0.5;
/** The limit at start and the fewest the pacer lets run at once (unless max_in_flight is lower). */
export const FLOOR = 100;
const PERIOD_MS = 1000;

export interface PacerOptions {
  readonly limiter: Limiter;
  readonly clock: Clock;
  /** `checks.max_in_flight`. */
  readonly max: number;
  /** The event loop's utilization (0..1) since the last call; injectable for tests. */
  readonly busy?: () => number;
}

export interface Pacer {
  /** The current limit on checks at once. */
  readonly limit: number;
  readonly max: number;
  /** A new `checks.max_in_flight` (a reload). */
  setMax(max: number): void;
  /** Starts the once-a-second adjustment. */
  start(): void;
  stop(): void;
}

/** The event loop's utilization since the previous call. */
export function loopUtilization(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    return utilization;
  };
}

export function createPacer(options: PacerOptions): Pacer {
  const { limiter, clock } = options;
  const busy = options.busy ?? loopUtilization();
  let max = whole(options.max);
  let limit = Math.min(max, FLOOR);
  let timer: unknown = null;
  limiter.setMax(limit);

  const floor = (): number => Math.min(FLOOR, max);
  function set(next: number): void {
    limit = Math.max(floor(), Math.min(max, Math.round(next)));
    limiter.setMax(limit);
  }

  function tick(): void {
    timer = clock.setTimeout(tick, PERIOD_MS);
    const u = busy();
    const waited = limiter.takeWaited();
    if (u > BUSY) set(limit * 0.8);
    else if (u < CALM && waited) set(limit * 1.25 + 1);
  }

  return {
    get limit() { return limit; },
    get max() { return max; },
    setMax(next) {
      max = whole(next);
      set(limit);
    },
    start() {
      if (timer !== null) return;
      busy();
      timer = clock.setTimeout(tick, PERIOD_MS);
    },
    stop() {
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}

function whole(max: number): number {
  return Number.isFinite(max) && max >= 1 ? Math.floor(max) : 1;
}
