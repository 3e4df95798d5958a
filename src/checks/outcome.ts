// Building outcomes: the only shapes checkers return.
import type { CheckOutcome, Extra } from '../domain.ts';

export function failure(message: string, extra: Extra = {}, latency_ms: number | null = null): CheckOutcome {
  return { ok: false, degraded: false, latency_ms, message, extra };
}

/** A passing outcome; degraded when any warning applies, each warning appended to the message. */
export function success(message: string, latency_ms: number | null, extra: Extra, warnings: readonly string[] = []): CheckOutcome {
  const degraded = warnings.length > 0;
  return { ok: true, degraded, latency_ms, message: degraded ? `${message}, ${warnings.join(', ')}` : message, extra };
}
