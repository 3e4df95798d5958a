// Pure steps of the outbox (outbox.ts): grouping due messages per channel and deciding what a
// failed delivery leads to.
import type { OutboxMessage } from '../store/store.ts';
import { DeliveryError } from './alert.ts';

const MINUTE = 60_000;
/** The longest wait a server's Retry-After may impose. */
export const MAX_RETRY_AFTER = 60 * MINUTE;

export interface RetryPolicy {
  /** First retry delay; doubles per attempt. */
  readonly baseDelayMs: number;
  /** Cap of the backoff. */
  readonly maxDelayMs: number;
  /** A message still undelivered this long after it was queued is dropped. */
  readonly maxAgeMs: number;
}

/** Messages per channel, each queue in the order the store gave them (oldest first). */
export function queuesByChannel(pending: readonly OutboxMessage[]): Map<string, OutboxMessage[]> {
  const queues = new Map<string, OutboxMessage[]>();
  for (const m of pending) {
    const queue = queues.get(m.channel) ?? [];
    queue.push(m);
    queues.set(m.channel, queue);
  }
  return queues;
}

export type FailureVerdict =
  | { readonly drop: string }
  | { readonly retryInMs: number };

/**
 * After a failed attempt (`attempts` counts it): drop a message the channel rejected or that is
 * too old, else retry with capped exponential backoff, or when the server said, within reason.
 */
export function afterFailure(m: OutboxMessage, err: unknown, error: string, now: number, policy: RetryPolicy): FailureVerdict {
  if (err instanceof DeliveryError && err.permanent) return { drop: `rejected: ${error}` };
  if (now - m.created_at >= policy.maxAgeMs) return { drop: `undelivered for ${Math.round(policy.maxAgeMs / (60 * MINUTE))} h: ${error}` };
  const attempts = m.attempts + 1;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempts - 1, 30));
  const asked = err instanceof DeliveryError ? err.retryAfterMs : null;
  return { retryInMs: asked !== null ? Math.min(asked, MAX_RETRY_AFTER) : backoff };
}
