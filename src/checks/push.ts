// push check (heartbeat, cron job): pulsemap does not poll. A job calls GET or POST /push/TOKEN;
// each push is judged at once, and a check at the push deadline (interval + grace after the last
// one) finds the entity in error when no push came in time.
import type { CheckOutcome, EntityBase } from '../domain.ts';
import { formatDuration, formatTime } from '../alerts/format.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { failure, success } from './outcome.ts';

export interface PushEntity extends EntityBase {
  readonly type: 'push';
  /** The secret part of the push URL: never shown. */
  readonly token: string;
  /** Seconds a push may be late. */
  readonly grace: number;
}

/** Milliseconds from one push (or the start) to the check that finds it overdue. */
export function pushDeadlineMs(entity: PushEntity): number {
  return (entity.interval + entity.grace) * 1000;
}

/** A deadline check may fire a little early on a busy machine; that must not postpone the verdict by a whole interval. */
function toleranceMs(entity: PushEntity): number {
  return Math.min(1000, pushDeadlineMs(entity) * 0.1);
}

function expected(entity: PushEntity): string {
  const every = `expected every ${formatDuration(entity.interval * 1000)}`;
  return entity.grace > 0 ? `${every} + ${formatDuration(entity.grace * 1000)} grace` : every;
}

export async function checkPush(entity: PushEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const inbox = ctx.pushes;
  if (!inbox) return failure('push entities are judged by the running service, which receives the pushes');
  const now = ctx.now();
  const push = inbox.last(entity.name);
  const last = push?.at ?? inbox.since;
  const age = now - last;
  if (age >= pushDeadlineMs(entity) - toleranceMs(entity)) {
    return failure(push
      ? `no push for ${formatDuration(age)} (${expected(entity)})`
      : `no push since pulsemap started ${formatDuration(age)} ago (${expected(entity)})`);
  }
  if (!push) return success(`waiting for the first push (${expected(entity)})`, null, {});
  const extra = { last_push: formatTime(push.at) };
  const said = push.message === '' ? '' : `: ${push.message}`;
  if (!push.ok) return failure(`job reported error${said}`, extra);
  return success(`push received ${formatDuration(age)} ago${said}`, null, extra);
}

export const push: CheckType<PushEntity> = {
  build(raw: RawFields, base) {
    return {
      ...base,
      // A missed or failed push is not a flaky network: it is an error at once unless the entity says otherwise.
      failure_threshold: (raw.failure_threshold as number | undefined) ?? 1,
      type: 'push', target: 'push', token: raw.token as string, grace: (raw.grace as number | undefined) ?? 0,
    };
  },
  secrets: (entity) => [entity.token],
  check: checkPush,
  passiveDeadlineMs: pushDeadlineMs,
  figure: (entity) => ({ text: `every ${formatDuration(entity.interval * 1000)}`, slot: 'every 00 h 00 min' }),
};
