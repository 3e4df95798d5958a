// The check pipeline's entry point: one typed registry of checkers and a runner that
// guarantees every check ends in time with an outcome, whatever the target or checker does.
import type { CheckOutcome, Entity, EntityOf, EntityType } from '../types.ts';
import { checkApi } from './api.ts';
import { checkDatabase } from './database.ts';
import { abortMessage, errorText, scrub, timeoutMessage, urlSecrets } from './errors.ts';
import { failure } from './outcome.ts';
import { checkPing } from './ping.ts';

export interface CheckContext {
  /** Fires at the entity's timeout or when the caller gives up; checkers stop all I/O on it. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which the checker must have answered. */
  readonly deadline: number;
}

export type Checker<E extends Entity> = (entity: E, ctx: CheckContext) => Promise<CheckOutcome>;

/** A new check type is one file and one line here. */
const checkers: { [T in EntityType]: Checker<EntityOf<T>> } = {
  api: checkApi,
  ping: checkPing,
  database: checkDatabase,
};

/** How long past the timeout a checker may take to unwind before it is abandoned. */
const GRACE_MS = 200;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one check. Never throws and always resolves within `entity.timeout` seconds plus
 * GRACE_MS, even if the checker ignores its signal (it is then abandoned, not awaited).
 */
export async function runCheck(entity: Entity, options: { signal?: AbortSignal } = {}): Promise<CheckOutcome> {
  const timeoutMs = timeoutMsOf(entity);
  if (options.signal?.aborted) return failure('check aborted');
  // One controller and one timer per check: checks run thousands of times a second, and
  // AbortSignal.timeout + AbortSignal.any would add a timer, a composite signal and listeners.
  const controller = new AbortController();
  const { signal } = controller;
  const caller = options.signal;

  // Widening is safe: the registry is keyed by the same `type` we look it up with.
  const checker = checkers[entity.type] as Checker<Entity>;

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
  const onCallerAbort = (): void => stopThenAbandon(new DOMException('The check was aborted.', 'AbortError'));
  caller?.addEventListener('abort', onCallerAbort, { once: true });

  // Started inside a promise chain so that even a synchronous throw becomes an outcome.
  const running = Promise.resolve().then(() => checker(entity, { signal, deadline: Date.now() + timeoutMs })).catch(
    (err: unknown) => failure(`internal error in ${entity.type} check: ${scrub(errorText(err), secretsOf(entity))}`),
  );
  try {
    return await Promise.race([running, abandoned]);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onCallerAbort);
  }
}

/** AbortSignal.timeout and setTimeout take whole milliseconds within 32 bits; never throw on odd input. */
function timeoutMsOf(entity: Entity): number {
  const ms = Math.round(entity.timeout * 1000);
  return Number.isFinite(ms) ? Math.min(MAX_TIMER_MS - GRACE_MS, Math.max(1, ms)) : MAX_TIMER_MS - GRACE_MS;
}

/** Secrets any entity may carry, found by shape rather than by type. */
function secretsOf(entity: Entity): string[] {
  const url = 'url' in entity ? urlSecrets(entity.url) : [];
  // Short values are left alone, as in the api check: scrubbing `1` would mangle the message.
  const headers = 'headers' in entity ? Object.values(entity.headers).filter((value) => value.length >= 4) : [];
  return [...url, ...headers];
}
