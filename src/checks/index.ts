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
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  if (signal.aborted) return failure(abortMessage(signal, entity.timeout));

  // Widening is safe: the registry is keyed by the same `type` we look it up with.
  const checker = checkers[entity.type] as Checker<Entity>;
  // Started inside a promise chain so that even a synchronous throw becomes an outcome.
  const running = Promise.resolve().then(() => checker(entity, { signal, deadline: Date.now() + timeoutMs })).catch(
    (err: unknown) => failure(`internal error in ${entity.type} check: ${scrub(errorText(err), secretsOf(entity))}`),
  );

  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const abandoned = new Promise<CheckOutcome>((resolve) => {
    const giveUpIn = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const callerGaveUp = options.signal?.aborted === true && !timeout.aborted;
        resolve(failure(callerGaveUp ? 'check aborted' : timeoutMessage(entity.timeout)));
      }, ms);
    };
    // Our own ref'd timer: AbortSignal.timeout's timer does not keep the process alive.
    giveUpIn(timeoutMs + GRACE_MS);
    onAbort = () => giveUpIn(GRACE_MS);
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([running, abandoned]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
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
