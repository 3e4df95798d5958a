// Slows password guessing: after a few failures for one user or one address, further attempts
// are refused for a delay that doubles with each failure (up to 15 minutes). Pure bookkeeping
// with an injected clock.

export interface LoginLimiter {
  /** Milliseconds to wait before another attempt with these keys is heard; 0 = go ahead. */
  wait(keys: readonly string[]): number;
  failed(keys: readonly string[]): void;
  succeeded(keys: readonly string[]): void;
}

interface Entry {
  failures: number;
  last: number;
  until: number;
}

export interface LimiterOptions {
  readonly now?: () => number;
  /** Failures allowed before delays start, per key prefix (`user:`, `ip:`). */
  readonly free?: Readonly<Record<string, number>>;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Quiet time after which a key's failures are forgotten. */
  readonly forgetMs?: number;
}

const MAX_KEYS = 50_000;

export function createLoginLimiter(options: LimiterOptions = {}): LoginLimiter {
  const now = options.now ?? Date.now;
  const free = options.free ?? { 'user:': 5, 'ip:': 20 };
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 15 * 60_000;
  const forget = options.forgetMs ?? 60 * 60_000;
  const entries = new Map<string, Entry>();

  const allowance = (key: string) => Object.entries(free).find(([prefix]) => key.startsWith(prefix))?.[1] ?? 5;
  function entry(key: string): Entry | undefined {
    const e = entries.get(key);
    if (e && now() - e.last > forget) {
      entries.delete(key);
      return undefined;
    }
    return e;
  }

  return {
    wait(keys) {
      return Math.max(0, ...keys.map((k) => (entry(k)?.until ?? 0) - now()));
    },
    failed(keys) {
      for (const key of keys) {
        const e = entry(key) ?? { failures: 0, last: 0, until: 0 };
        e.failures += 1;
        e.last = now();
        const over = e.failures - allowance(key);
        if (over >= 0) e.until = now() + Math.min(max, base * 2 ** Math.min(over, 30));
        entries.delete(key);
        entries.set(key, e);
        if (entries.size > MAX_KEYS) entries.delete(entries.keys().next().value!);
      }
    },
    succeeded(keys) {
      // Only the user's own count resets: a correct password does not clear an address's record.
      for (const key of keys) if (key.startsWith('user:')) entries.delete(key);
    },
  };
}
