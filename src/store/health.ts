// Store failure as a state, not a crash. The first failing call (or background write) marks the
// store unavailable, with one log line; from then on every call fails at once with
// StoreUnavailableError (no caller waits on a dead server), while results, states and
// transitions keep queueing in memory up to the queue's bound (queue.ts). A probe writes the
// queue and a small meta row with growing pauses; when it succeeds the store is available
// again, with one log line, and listeners (alerts, outbox) catch up.
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { Store } from './store.ts';

/** What every store call throws while the store is unavailable: `store unavailable: <cause>`. */
export class StoreUnavailableError extends Error {
  constructor(cause: string) {
    super(`store unavailable: ${cause}`);
    this.name = 'StoreUnavailableError';
  }
}

export interface StoreStatus {
  readonly ok: boolean;
  readonly kind: Store['kind'];
  /** The latest failure while unavailable; null when ok. */
  readonly error: string | null;
  /** Epoch ms when it became unavailable; null when ok. */
  readonly since: number | null;
  /** Results, states and transitions waiting in memory to be written. */
  readonly queued: number;
  /** Results and transitions dropped (oldest first) since the start because too many waited. */
  readonly dropped: number;
}

export interface StoreHealth {
  /** The store to use everywhere: calls fail fast while it is unavailable. */
  readonly store: Store;
  status(): StoreStatus;
  /** Told `false` when the store becomes unavailable and `true` when it is back. */
  listen(listener: (ok: boolean) => void): void;
}

export interface StoreHealthOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** First pause between probes while unavailable; doubles up to probeMaxMs. Default 1 s. */
  readonly probeBaseMs?: number;
  /** Default 10 s. */
  readonly probeMaxMs?: number;
}

/** The meta key the probe writes: a write that must succeed for the store to count as back. */
export const PROBE_KEY = 'store_probe';

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Opens a store through `open`, which is given the callback for failures of background writes
 * and idle connections (the engines' onError), and watches it.
 */
export async function openWatchedStore(
  open: (onError: (error: unknown) => void) => Promise<Store>,
  options: StoreHealthOptions = {},
): Promise<StoreHealth> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const probeBaseMs = options.probeBaseMs ?? 1_000;
  const probeMaxMs = options.probeMaxMs ?? 10_000;
  const listeners: ((ok: boolean) => void)[] = [];
  let down: { error: string; since: number } | null = null;
  let probeDelay = 0;
  let probeTimer: unknown = null;
  let closed = false;
  // Set once open() returns; a failure reported before cannot be probed yet, and open() throws it anyway.
  let inner: Store | null = null;

  function tell(ok: boolean): void {
    for (const listener of listeners) {
      try {
        listener(ok);
      } catch (err) {
        logger.error({ err: errorText(err) }, 'store health listener failed');
      }
    }
  }

  function failed(err: unknown): void {
    if (closed || inner === null) return;
    const error = errorText(err);
    if (down !== null) {
      down.error = error;
      return;
    }
    down = { error, since: clock.now() };
    logger.error({ err: error, queued: inner.backlog().queued }, 'store unavailable; checks go on and writes wait in memory');
    probeDelay = 0;
    armProbe();
    tell(false);
  }

  function armProbe(): void {
    if (closed) return;
    probeDelay = probeDelay === 0 ? probeBaseMs : Math.min(probeMaxMs, probeDelay * 2);
    probeTimer = clock.setTimeout(() => { probeTimer = null; void probe(); }, probeDelay);
  }

  async function probe(): Promise<void> {
    if (closed || down === null || inner === null) return;
    try {
      await inner.flush();
      await inner.setMeta(PROBE_KEY, new Date(clock.now()).toISOString());
    } catch (err) {
      down.error = errorText(err);
      armProbe();
      return;
    }
    const lasted = clock.now() - down.since;
    down = null;
    logger.warn({ down_ms: lasted, dropped: inner.backlog().dropped }, 'store available again; queued writes written');
    tell(true);
  }

  const raw = await open(failed);
  inner = raw;

  function guard<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      if (down !== null) throw new StoreUnavailableError(down.error);
      try {
        return await call(...args);
      } catch (err) {
        failed(err);
        throw new StoreUnavailableError(errorText(err));
      }
    };
  }

  const store: Store = {
    kind: raw.kind,
    saveResult: (result, state) => raw.saveResult(result, state),
    saveState: (state) => raw.saveState(state),
    saveTransition: (transition) => raw.saveTransition(transition),
    backlog: () => raw.backlog(),
    flush: guard(() => raw.flush()),
    loadStates: guard(() => raw.loadStates()),
    history: guard((name, query) => raw.history(name, query)),
    transitions: guard((name, limit) => raw.transitions(name, limit)),
    uptime: guard((name, now) => raw.uptime(name, now)),
    uptimeAll: guard((now) => raw.uptimeAll(now)),
    firstChecks: guard(() => raw.firstChecks()),
    resultsBetween: guard((name, from, to) => raw.resultsBetween(name, from, to)),
    hoursBetween: guard((name, from, to, step) => raw.hoursBetween(name, from, to, step)),
    transitionsBetween: guard((name, from, to) => raw.transitionsBetween(name, from, to)),
    firstCheck: guard((name) => raw.firstCheck(name)),
    prune: guard((olderThan, aggregatesOlderThan) => raw.prune(olderThan, aggregatesOlderThan)),
    outboxAdd: guard((message) => raw.outboxAdd(message)),
    outboxDue: guard((now, limit) => raw.outboxDue(now, limit)),
    outboxSent: guard((id, at) => raw.outboxSent(id, at)),
    outboxRetry: guard((id, error, next) => raw.outboxRetry(id, error, next)),
    outboxDrop: guard((id, reason, at) => raw.outboxDrop(id, reason, at)),
    outboxDepth: guard(() => raw.outboxDepth()),
    getMeta: guard((key) => raw.getMeta(key)),
    setMeta: guard((key, value) => raw.setMeta(key, value)),
    setMetaMany: guard((entries) => raw.setMetaMany(entries)),
    close() {
      closed = true;
      if (probeTimer !== null) clock.clearTimeout(probeTimer);
      return raw.close();
    },
  };

  return {
    store,
    status() {
      const { queued, dropped } = raw.backlog();
      return { ok: down === null, kind: raw.kind, error: down?.error ?? null, since: down?.since ?? null, queued, dropped };
    },
    listen(listener) {
      listeners.push(listener);
    },
  };
}
