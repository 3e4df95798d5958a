// Durable delivery: messages sit in the store's outbox until a channel accepts them. One worker
// per channel sends that channel's messages oldest first; a failed head keeps the later ones
// waiting (order per chat), retried with capped exponential backoff or when the server says.
// Nothing here runs on the check path: the monitor never waits for a delivery.
// What happened to a message is recorded in the store after the attempt. When the store refuses
// that record (disk full, database gone), the outcome is kept in memory by the message's key and
// recorded later with backoff: a message that was sent is never sent again for want of a record.
// Only a crash between a send and its record can repeat it.
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { NewOutboxMessage, OutboxMessage, Store } from '../store/store.ts';
import { StoreUnavailableError } from '../store/health.ts';
import type { Channel } from './alert.ts';
import { DeliveryError } from './alert.ts';
import type { Scrub } from '../secrets.ts';
import { afterFailure, queuesByChannel } from './retry.ts';

export interface OutboxOptions {
  readonly store: Store;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Applied to every error text before it is stored, logged or shown. */
  readonly scrub?: () => Scrub;
  /** First retry delay; doubles per attempt. Default 5 s. */
  readonly baseDelayMs?: number;
  /** Cap of the backoff. Default 5 min. */
  readonly maxDelayMs?: number;
  /** A message still undelivered this long after it was queued is dropped. Default 24 h. */
  readonly maxAgeMs?: number;
  /** A send that takes longer is abandoned and retried. Default 60 s (channels have shorter own timeouts). */
  readonly sendTimeoutMs?: number;
  /** Pending messages read per scan. */
  readonly scanLimit?: number;
  /** How long close() lets sends in flight finish before abandoning them. Default 3 s. */
  readonly closeGraceMs?: number;
  /**
   * Asked right before each send (several instances: the alerter's epoch is checked in the same
   * transaction); false stops delivery by this process. Default: always yes.
   */
  readonly claim?: (message: OutboxMessage) => Promise<boolean>;
  /** Told of every delivered message and every failed attempt (metrics). */
  readonly onSent?: (channel: string) => void;
  readonly onFailed?: (channel: string) => void;
}

export interface DeliveryFailure {
  readonly channel: string;
  readonly error: string;
  /** Epoch ms. */
  readonly at: number;
}

export interface Outbox {
  /** The channels to deliver to; a changed channel retries its head at once (its settings may be fixed). */
  setChannels(channels: readonly Channel[]): void;
  /** Writes messages to the store (idempotent by key), then wakes the workers. */
  add(messages: readonly NewOutboxMessage[]): Promise<void>;
  /** Looks for due messages now. */
  kick(): void;
  /** The store is back: writes the delivery records kept in memory now, then looks for due messages. */
  storeBack(): void;
  depth(): Promise<number>;
  /** The latest failure of a channel that has not delivered since; null when all are fine. */
  lastError(): DeliveryFailure | null;
  /** Resolves once no scan and no delivery is in flight (tests). */
  idle(): Promise<void>;
  /** Stops the workers; a send still in flight after a short grace is abandoned and retried on the next start. */
  close(): Promise<void>;
}

const MINUTE = 60_000;

/** The outcome of an attempt that the store has not recorded yet. */
type Outcome =
  | { readonly kind: 'sent'; readonly id: number; readonly at: number }
  | { readonly kind: 'retry'; readonly id: number; readonly error: string; readonly next: number; readonly attempts: number }
  | { readonly kind: 'drop'; readonly id: number; readonly reason: string; readonly at: number };

/** A message as its unrecorded outcome leaves it: null once it is sent or dropped. */
export function withOutcome(m: OutboxMessage, outcome: Outcome | undefined): OutboxMessage | null {
  if (outcome === undefined) return m;
  if (outcome.kind !== 'retry') return null;
  return { ...m, attempts: outcome.attempts, next_attempt_at: Math.max(m.next_attempt_at, outcome.next), last_error: outcome.error };
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const scrub = (text: string): string => (options.scrub ? options.scrub()(text) : text);
  const baseDelayMs = options.baseDelayMs ?? 5_000;
  const maxDelayMs = options.maxDelayMs ?? 5 * MINUTE;
  const maxAgeMs = options.maxAgeMs ?? 24 * 60 * MINUTE;
  const sendTimeoutMs = options.sendTimeoutMs ?? MINUTE;
  const scanLimit = options.scanLimit ?? 5_000;
  const closeGraceMs = options.closeGraceMs ?? 3_000;

  let channels = new Map<string, Channel>();
  /** Channels whose head is tried at once on the next scan, whatever its backoff says. */
  const forced = new Set<string>();
  const workers = new Map<string, Promise<void>>();
  const failures = new Map<string, DeliveryFailure>();
  /** Each channel's memo (Channel.send): what it needs to remember of earlier sends. */
  const memos = new Map<string, Map<string, unknown>>();
  const stop = new AbortController();
  let scanning: Promise<void> | null = null;
  let rescan = false;
  let timer: unknown = null;
  let closed = false;
  /** Outcomes the store has not recorded yet, by message key, in the order they happened. */
  const unrecorded = new Map<string, Outcome>();
  let recordTimer: unknown = null;
  let recordDelay = 0;
  let recording: Promise<void> | null = null;
  let heldUntil = 0;

  function arm(at: number): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (closed || !Number.isFinite(at)) return;
    timer = clock.setTimeout(() => { timer = null; kick(); }, Math.max(0, at - clock.now()));
  }

  function kick(): void {
    if (closed) return;
    if (scanning) {
      rescan = true;
      return;
    }
    scanning = scan()
      .catch((err: unknown) => {
        // An unavailable store is logged once by its health (store/health.ts), not on every scan.
        const level = err instanceof StoreUnavailableError ? 'debug' : 'error';
        logger[level]({ err: scrub(String(err)) }, 'alert outbox: reading the store failed; retrying');
        arm(clock.now() + baseDelayMs);
      })
      .finally(() => {
        scanning = null;
        if (rescan) {
          rescan = false;
          kick();
        }
      });
  }

  /** Writes the outcomes kept in memory; on failure tries again later, waiting longer each time. */
  function recordLater(): void {
    if (closed || recordTimer !== null || recording) return;
    recordDelay = recordDelay === 0 ? baseDelayMs : Math.min(maxDelayMs, recordDelay * 2);
    recordTimer = clock.setTimeout(() => { recordTimer = null; void record(); }, recordDelay);
  }

  /** Writes the kept outcomes in order; false when the store refused one (it and the rest stay). */
  async function writeOutcomes(): Promise<boolean> {
    try {
      for (const [key, o] of unrecorded) {
        if (o.kind === 'sent') await store.outboxSent(o.id, o.at);
        else if (o.kind === 'drop') await store.outboxDrop(o.id, o.reason, o.at);
        else await store.outboxRetry(o.id, o.error, o.next);
        unrecorded.delete(key);
      }
    } catch (err) {
      if (recordDelay === 0) {
        logger.warn({ kept: unrecorded.size, err: scrub(String(err)) }, 'alert outbox: the store refused delivery records; kept in memory and retried');
      }
      return false;
    }
    if (recordDelay > 0) logger.info('alert outbox: delivery records written');
    recordDelay = 0;
    return true;
  }

  function record(): Promise<void> {
    recording ??= writeOutcomes().then((ok) => {
      recording = null;
      if (unrecorded.size === 0) return;
      if (ok) return record(); // outcomes that came in after the loop
      recordLater();
    });
    return recording;
  }

  /** Records an outcome; when the store refuses, keeps it in memory until it can be written. */
  async function settle(m: OutboxMessage, outcome: Outcome): Promise<void> {
    unrecorded.set(m.key, outcome);
    if (recordTimer !== null) return; // backing off: it joins the ones waiting
    await record();
  }

  async function scan(): Promise<void> {
    if (clock.now() < heldUntil) return arm(heldUntil);
    const due = await store.outboxDue(Number.MAX_SAFE_INTEGER, scanLimit);
    const pending = due.map((m) => withOutcome(m, unrecorded.get(m.key))).filter((m) => m !== null);
    const now = clock.now();
    const queues = queuesByChannel(pending);
    let wake = Infinity;
    for (const [name, queue] of queues) {
      if (workers.has(name)) continue; // its end scans again
      const head = queue[0]!;
      const channel = channels.get(name);
      if (!channel) {
        // Kept for a while in case the channel comes back with the next configuration.
        if (now - head.created_at >= maxAgeMs) await drop(head, 'channel no longer configured');
        else wake = Math.min(wake, head.created_at + maxAgeMs);
        continue;
      }
      if (head.next_attempt_at > now && !forced.has(name)) {
        wake = Math.min(wake, head.next_attempt_at);
        continue;
      }
      forced.delete(name);
      const worker = deliver(channel, queue)
        .catch((err: unknown) => logger.error({ channel: name, err: scrub(String(err)) }, 'alert outbox: store update failed'))
        .finally(() => {
          workers.delete(name);
          kick();
        });
      workers.set(name, worker);
    }
    arm(wake);
  }

  async function drop(m: OutboxMessage, reason: string): Promise<void> {
    await settle(m, { kind: 'drop', id: m.id, reason, at: clock.now() });
    logger.error({ channel: m.channel, key: m.key, attempts: m.attempts + 1, reason }, 'alert dropped');
  }

  async function sendOne(channel: Channel, payload: string): Promise<void> {
    let memo = memos.get(channel.name);
    if (!memo) memos.set(channel.name, memo = new Map());
    const deadline = new AbortController();
    const handle = clock.setTimeout(() => deadline.abort(new DeliveryError(`no answer within ${sendTimeoutMs} ms`)), sendTimeoutMs);
    try {
      const signal = AbortSignal.any([stop.signal, deadline.signal]);
      // Also settle when a channel ignores its signal.
      const aborted = new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      aborted.catch(() => {});
      await Promise.race([channel.send(payload, signal, memo), aborted]);
    } finally {
      clock.clearTimeout(handle);
    }
  }

  /** Sends the channel's messages in order until one fails or one is not due yet. */
  async function deliver(channel: Channel, queue: readonly OutboxMessage[]): Promise<void> {
    for (const m of queue) {
      if (closed) return;
      if (m !== queue[0] && m.next_attempt_at > clock.now()) return;
      if (options.claim && !(await options.claim(m))) {
        // Another process delivers now (or did): look again later, not in a tight loop.
        heldUntil = clock.now() + baseDelayMs;
        return;
      }
      try {
        await sendOne(channel, m.payload);
      } catch (err) {
        if (closed) return; // shutting down: the message stays queued for the next start
        await failed(channel.name, m, err);
        if (err instanceof DeliveryError && err.permanent) continue;
        return;
      }
      await settle(m, { kind: 'sent', id: m.id, at: clock.now() });
      failures.delete(channel.name);
      options.onSent?.(channel.name);
    }
  }

  async function failed(channel: string, m: OutboxMessage, err: unknown): Promise<void> {
    const now = clock.now();
    const error = scrub(err instanceof Error ? err.message : String(err));
    failures.set(channel, { channel, error, at: now });
    options.onFailed?.(channel);
    const verdict = afterFailure(m, err, error, now, { baseDelayMs, maxDelayMs, maxAgeMs });
    if ('drop' in verdict) {
      await drop(m, verdict.drop);
      return;
    }
    await settle(m, { kind: 'retry', id: m.id, error, next: now + verdict.retryInMs, attempts: m.attempts + 1 });
    logger.warn({ channel, key: m.key, attempts: m.attempts + 1, retry_in_ms: verdict.retryInMs, err: error }, 'alert delivery failed; will retry');
  }

  return {
    setChannels(list) {
      const next = new Map<string, Channel>(list.map((c) => [c.name, c]));
      for (const [name, old] of channels) {
        if (next.get(name) === old) continue;
        forced.add(name);
        const closeOld = (): void => void old.close().catch(() => {});
        const worker = workers.get(name);
        if (worker) void worker.finally(closeOld);
        else closeOld();
      }
      for (const name of next.keys()) if (!channels.has(name)) forced.add(name);
      channels = next;
      kick();
    },
    async add(messages) {
      for (const m of messages) await store.outboxAdd(m);
      kick();
    },
    kick,
    storeBack() {
      if (closed) return;
      if (recordTimer !== null) clock.clearTimeout(recordTimer);
      recordTimer = null;
      void record().then(kick);
    },
    depth: () => store.outboxDepth(),
    lastError() {
      let latest: DeliveryFailure | null = null;
      for (const f of failures.values()) if (latest === null || f.at > latest.at) latest = f;
      return latest;
    },
    async idle() {
      while (scanning || workers.size > 0) {
        await scanning;
        await Promise.all(workers.values());
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      arm(Infinity);
      if (recordTimer !== null) clock.clearTimeout(recordTimer);
      await scanning;
      // Sends in flight get a moment to finish: one cut off after the server took it would be
      // sent again after the restart. Nothing new starts meanwhile.
      let graceTimer: unknown = null;
      const grace = new Promise<void>((resolve) => { graceTimer = clock.setTimeout(resolve, closeGraceMs); });
      await Promise.race([Promise.allSettled(workers.values()), grace]);
      clock.clearTimeout(graceTimer);
      stop.abort(new DeliveryError('shutting down'));
      await Promise.allSettled(workers.values());
      // A last try, so a restart does not repeat what was sent (what still fails is lost with the process).
      if (unrecorded.size > 0) await record();
      await Promise.allSettled([...channels.values()].map((c) => c.close()));
    },
  };
}
