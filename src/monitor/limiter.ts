// The cap on checks in flight. Past it, a due check waits in line as one small record instead of
// opening its connection: when the process cannot keep up (a small board, a loaded machine, an
// estate too large for one core), checks that all start at once only take longer each, time out,
// and their failures cost more than successes, so the service falls further behind and holds
// more memory the longer it runs. With the cap it runs as many checks as it can, in order, and
// what it cannot run shows up as lateness rather than as false timeouts.

/** A check waiting for a slot. */
export interface Wait {
  /** Resolves true when a slot is handed over, false if the wait was cancelled. */
  readonly granted: Promise<boolean>;
  /** Moves the wait to the front line (the check was asked for now meanwhile). */
  hurry(): void;
}

export interface Limiter {
  /**
   * Takes a slot: null when one was free (taken now), else the wait for one. `urgent` waits go
   * first (a check asked for now: a dependency confirming a failure, the page's "check now").
   */
  acquire(urgent?: boolean): Wait | null;
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

interface Waiter {
  /** Handed a slot or cancelled: an entry left in the other line is skipped. */
  done: boolean;
  urgent: boolean;
  resolve: (go: boolean) => void;
}

export function createLimiter(initialMax: number, events: LimiterEvents = {}): Limiter {
  let max = sanitize(initialMax);
  let active = 0;
  let pending = 0;
  let behind = false;
  let waited = false;
  const urgent = new Line<Waiter>();
  const due = new Line<Waiter>();

  function next(): Waiter | undefined {
    for (;;) {
      const w = urgent.shift() ?? due.shift();
      if (w === undefined || !w.done) return w;
    }
  }

  function handOver(): void {
    while (active < max && pending > 0) {
      const w = next();
      if (w === undefined) break;
      w.done = true;
      pending--;
      active++;
      w.resolve(true);
    }
    if (behind && pending === 0) {
      behind = false;
      events.onCaughtUp?.();
    }
  }

  return {
    acquire(isUrgent = false) {
      if (active < max && pending === 0) {
        active++;
        return null;
      }
      const w: Waiter = { done: false, urgent: isUrgent, resolve: () => {} };
      const granted = new Promise<boolean>((resolve) => { w.resolve = resolve; });
      (isUrgent ? urgent : due).push(w);
      pending++;
      waited = true;
      if (!behind) {
        behind = true;
        events.onBehind?.(pending, active);
      }
      return {
        granted,
        hurry() {
          if (w.done || w.urgent) return;
          w.urgent = true;
          urgent.push(w);
        },
      };
    },
    release() {
      active = Math.max(0, active - 1);
      handOver();
    },
    setMax(n) {
      max = sanitize(n);
      handOver();
    },
    takeWaited() {
      const was = waited;
      waited = false;
      return was;
    },
    cancelAll() {
      for (const w of [...urgent.drain(), ...due.drain()]) {
        if (w.done) continue;
        w.done = true;
        w.resolve(false);
      }
      pending = 0;
      behind = false;
    },
    get max() { return max; },
    get active() { return active; },
    get waiting() { return pending; },
  };
}

function sanitize(max: number): number {
  return Number.isFinite(max) && max >= 1 ? Math.floor(max) : Number.POSITIVE_INFINITY;
}
