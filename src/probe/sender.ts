// Sending results in batches. While the server cannot be reached the results wait in the bounded
// queue and go later, oldest first, with the times they were taken; retries back off from
// `backoffMinMs` doubling to `backoffMaxMs`. One log line when buffering starts, one when the
// backlog has drained.
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Connection, Failure } from './connection.ts';
import type { ProbeResult, ResultQueue } from './queue.ts';

export interface SenderOptions {
  readonly connection: Connection;
  readonly queue: ResultQueue;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How often results go out when fewer than `batchMax` are waiting. */
  readonly flushMs: number;
  readonly batchMax: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  /** Retry pace while the server refuses the token (it may be rotated on the server). */
  readonly unauthorizedRetryMs: number;
}

export interface Sender {
  add(result: ProbeResult): void;
  /** One last attempt to send what waits, given up after `limitMs`; stops the timers. */
  close(limitMs: number): Promise<void>;
}

export function createSender(options: SenderOptions): Sender {
  const { connection, queue, logger } = options;
  const clock = options.clock ?? systemClock;
  let timer: unknown = null;
  let sending: Promise<void> | null = null;
  let closed = false;
  /** Set while the server is failing us: the current retry delay. */
  let backoff: number | null = null;
  let unauthorized = false;
  let droppedAtOutage = 0;
  let batch = options.batchMax;

  function schedule(ms: number): void {
    if (closed) return;
    if (timer !== null) clock.clearTimeout(timer);
    timer = clock.setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
  }

  function flush(signal?: AbortSignal): Promise<void> {
    sending ??= sendAll(signal).finally(() => { sending = null; });
    return sending;
  }

  /** Sends until the queue is empty or the server fails; then sets the next attempt. */
  async function sendAll(signal?: AbortSignal): Promise<void> {
    while (queue.size() > 0) {
      const { results, through } = queue.peek(batch);
      const answer = await connection.results(results, signal);
      if (answer.kind === 'sent') {
        queue.confirm(through);
        recovered();
        if (answer.rejected.length > 0) {
          logger.warn({ rejected: answer.rejected.length, accepted: answer.accepted, first: answer.rejected[0] }, 'the server rejected results');
        }
        continue;
      }
      if (answer.kind === 'refused') {
        // The request itself was refused (too large, malformed): halve it; a single refused result is dropped.
        if (results.length > 1) {
          batch = Math.max(1, Math.floor(results.length / 2));
          continue;
        }
        queue.confirm(through);
        logger.warn({ entity: results[0]!.entity, reason: answer.reason }, 'the server refused a result; dropped');
        continue;
      }
      failed(answer);
      return;
    }
    batch = options.batchMax;
    schedule(options.flushMs);
  }

  function recovered(): void {
    if (backoff === null && !unauthorized) return;
    if (queue.size() > 0) return;
    const dropped = queue.dropped() - droppedAtOutage;
    logger.info({ dropped }, unauthorized ? 'the server accepts the token again; results sent' : 'the server answers again; buffered results sent');
    backoff = null;
    unauthorized = false;
  }

  function failed(answer: Failure): void {
    if (answer.kind === 'unauthorized') {
      if (!unauthorized) logger.error({ buffered: queue.size() }, 'the server refuses the token (401); results are kept and sending is retried slowly');
      unauthorized = true;
      schedule(options.unauthorizedRetryMs);
      return;
    }
    if (backoff === null) {
      droppedAtOutage = queue.dropped();
      const reason = answer.kind === 'limited' ? 'HTTP 429' : answer.reason;
      logger.warn({ reason, buffered: queue.size() }, 'the server cannot be reached; buffering results until it answers');
      backoff = options.backoffMinMs;
    } else {
      backoff = Math.min(options.backoffMaxMs, backoff * 2);
    }
    const wait = answer.kind === 'limited' && answer.retryAfterMs !== null ? Math.max(backoff, answer.retryAfterMs) : backoff;
    schedule(wait);
  }

  schedule(options.flushMs);

  return {
    add(result) {
      queue.push(result);
      // A full batch goes at once, unless the server is failing (the backoff decides then).
      if (queue.size() >= options.batchMax && backoff === null && !unauthorized && sending === null) schedule(0);
    },
    async close(limitMs) {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      const limit = AbortSignal.timeout(limitMs);
      if (sending !== null) await Promise.race([sending, new Promise((resolve) => limit.addEventListener('abort', resolve, { once: true }))]);
      if (queue.size() > 0 && !limit.aborted) await flush(limit);
      if (queue.size() > 0) logger.warn({ unsent: queue.size() }, 'stopping with results not sent');
    },
  };
}
