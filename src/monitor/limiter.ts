// The cap on checks in flight. Past it, a due check waits in line as one small record instead of
// opening its connection: when the process cannot keep up (a small board, a loaded machine, an
// estate too large for one core), checks that all start at once only take longer each, time out,
// and their failures cost more than successes, so the service falls further behind and holds
// more memory the longer it runs. With the cap it runs as many checks as it can, in order, and
// what it cannot run shows up as lateness rather than as false timeouts.

export interface Limiter {
  /**
   * Takes a slot: null when one was free (taken now), else a promise that resolves when one is
   * handed over, or with false if the wait was cancelled. `urgent` waits go first (a check asked
   * for now: a dependency confirming a failure, the page's "check now").
   */
  acquire(urgent?: boolean): Promise<boolean> | null;
  /** Gives a slot back; the longest waiting check, urgent first, takes it. */
  release(): void;
  /** Changes the cap (a reload); more slots hand themselves out at once. */
  setMax(max: number): void;
  /** Whether any check had to wait since the last call (the cap was reached). */
  takeWaited(): boolean;
  /** Ends every wait with false (shutdown). */
  cancelAll(): void;
  readonly max: number;
  /** Checks holding a slot. */
  readonly active: number;
  /** Checks waiting for one. */
  readonly waiting: number;
}

/** A first-in first-out line on an array, without the cost of Array#shift at every turn. */
class Line<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get size(): number { return this.items.length - this.head; }
  push(item: T): void { this.items.push(item); }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}

export interface LimiterEvents {
  /** The first check of a while had to wait: the service is behind. */
  onBehind?(waiting: number, active: number): void;
  /** The line emptied again after `onBehind`. */
  onCaughtUp?(): void;
}

export function createLimiter(initialMax: number, events: LimiterEvents = {}): Limiter {
  let max = sanitize(initialMax);
  let active = 0;
  let behind = false;
  let waited = false;
  const urgent = new Line<(go: boolean) => void>();
  const due = new Line<(go: boolean) => void>();

  function handOver(): void {
    while (active < max) {
      const next = urgent.shift() ?? due.shift();
      if (next === undefined) break;
      active++;
      next(true);
    }
    if (behind && urgent.size === 0 && due.size === 0) {
      behind = false;
      events.onCaughtUp?.();
    }
  }

  return {
    acquire(isUrgent = false) {
      if (active < max && urgent.size === 0 && due.size === 0) {
        active++;
        return null;
      }
      const wait = new Promise<boolean>((resolve) => (isUrgent ? urgent : due).push(resolve));
      waited = true;
      if (!behind) {
        behind = true;
        events.onBehind?.(urgent.size + due.size, active);
      }
      return wait;
    },
    release() {
      active = Math.max(0, active - 1);
      handOver();
    },
    setMax(next) {
      max = sanitize(next);
      handOver();
    },
    takeWaited() {
      const was = waited;
      waited = false;
      return was;
    },
    cancelAll() {
      for (const resolve of [...urgent.drain(), ...due.drain()]) resolve(false);
      behind = false;
    },
    get max() { return max; },
    get active() { return active; },
    get waiting() { return urgent.size + due.size; },
  };
}

function sanitize(max: number): number {
  return Number.isFinite(max) && max >= 1 ? Math.floor(max) : Number.POSITIVE_INFINITY;
}
