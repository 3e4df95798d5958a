// The check pipeline's entry point: a runner that guarantees every check ends in time with an
// outcome, whatever the target or the check type's checker does.
import type { CheckOutcome } from '../domain.ts';
import { scrub } from '../secrets.ts';
import { abortMessage, errorText } from './errors.ts';
import { failure } from './outcome.ts';
import { checkTypeOf } from './registry.ts';
import type { Entity } from './registry.ts';
import type { PushInbox } from './push-inbox.ts';

/** How long past the timeout a checker may take to unwind before it is abandoned. */
const GRACE_MS = 200;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one check. Never throws and always resolves within `entity.timeout` seconds plus
 * GRACE_MS, even if the checker ignores its signal (it is then abandoned, not awaited).
 */
export interface RunOptions {
  /** Aborts the check (shutdown, reload). */
  readonly signal?: AbortSignal;
  /** Pushes received by the running service, for push entities. */
  readonly pushes?: PushInbox;
  /** The clock's time; default Date.now. */
  readonly now?: () => number;
}

export async function runCheck(entity: Entity, options: RunOptions = {}): Promise<CheckOutcome> {
  const timeoutMs = timeoutMsOf(entity);
  if (options.signal?.aborted) return failure('check aborted');
  // One controller and one timer per check: checks run thousands of times a second, and
  // AbortSignal.timeout + AbortSignal.any would add a timer, a composite signal and listeners.
  const controller = new AbortController();
  const { signal } = controller;
  const caller = options.signal;

  const type = checkTypeOf(entity);

  let timer: NodeJS.Timeout | undefined;
  let giveUp: () => void = () => {};
  const abandoned = new Promise<CheckOutcome>((resolve) => {
    giveUp = () => resolve(failure(abortMessage(signal, entity.timeout)));
  });
  // At the deadline the checker is told to stop; GRACE_MS later it is abandoned if it has not.
  const stopThenAbandon = (reason: unknown): void => {
    controller.abort(reason);
    clearTimeout(timer);
    timer = setTimeout(giveUp, GRACE_MS);
  };
  timer = setTimeout(() => stopThenAbandon(new DOMException('The operation timed out.', 'TimeoutError')), timeoutMs);
  const stopWaiting = caller ? onAbort(caller, () => stopThenAbandon(new DOMException('The check was aborted.', 'AbortError'))) : null;

  // Started inside a promise chain so that even a synchronous throw becomes an outcome.
  const running = Promise.resolve().then(() => type.check(entity, { signal, deadline: Date.now() + timeoutMs, now: options.now ?? Date.now, pushes: options.pushes })).catch(
    (err: unknown) => failure(`internal error in ${entity.type} check: ${scrub(errorText(err), type.secrets(entity))}`),
  );
  try {
    return await Promise.race([running, abandoned]);
  } finally {
    clearTimeout(timer);
    stopWaiting?.();
  }
}

/**
 * The running checks told when each caller's signal aborts: one 'abort' listener per signal, not
 * one per check. Adding or removing an EventTarget listener walks every listener already there,
 * so with thousands of checks running at once on the monitor's one signal (a slow target, a
 * loaded machine) each check start and end cost time in proportion to them, which slowed checks
 * down further: at 20,000 entities the service ended up spending its time in addEventListener.
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `fn` once when `signal` aborts; returns the function that stops waiting. */
function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let checks = waiting.get(signal);
  if (checks === undefined) {
    const fresh = new Set<() => void>();
    checks = fresh;
    waiting.set(signal, fresh);
    signal.addEventListener('abort', () => {
      const due = [...fresh];
      fresh.clear();
      for (const f of due) f();
    }, { once: true });
  }
  checks.add(fn);
  const set = checks;
  return () => { set.delete(fn); };
}

/** AbortSignal.timeout and setTimeout take whole milliseconds within 32 bits; never throw on odd input. */
function timeoutMsOf(entity: Entity): number {
  const ms = Math.round(entity.timeout * 1000);
  return Number.isFinite(ms) ? Math.min(MAX_TIMER_MS - GRACE_MS, Math.max(1, ms)) : MAX_TIMER_MS - GRACE_MS;
}
