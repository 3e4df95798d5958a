// Acknowledging an incident: POST /entities/:name/ack { comment?, duration? } stops reminders
// for the entity's open incident until it recovers (or for `duration` seconds); DELETE withdraws it.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { identityOf, requireRole } from '../../auth/identity.ts';
import type { Acknowledgements, AppDeps } from '../deps.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { toDocument } from '../document.ts';
import type { UptimeCache } from '../uptime.ts';
import { NO_MARKS } from '../../types.ts';

const MAX_COMMENT = 500;

/** An empty POST is fine: no comment, until recovery. */
async function ackFields(ctx: Context): Promise<{ comment: string | null; duration: number | null }> {
  const empty = ctx.get('content-length') === '0' || (ctx.get('content-type') === '' && ctx.get('transfer-encoding') === '');
  const data = empty ? {} : (await readBody(ctx, 16 * 1024)).data;
  const { comment, duration } = data;
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > MAX_COMMENT)) {
    throw new HttpError(400, `comment must be a string of at most ${MAX_COMMENT} characters`);
  }
  const seconds = typeof duration === 'string' && /^\d+$/.test(duration) ? Number(duration) : duration;
  if (seconds !== undefined && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0)) {
    throw new HttpError(400, 'duration must be a number of seconds above 0');
  }
  return { comment: comment === undefined || comment === '' ? null : comment, duration: (seconds as number | undefined) ?? null };
}

export function ackRoutes(router: Router, deps: AppDeps, acks: Acknowledgements, uptime: UptimeCache): void {
  const { monitor } = deps;
  const now = (): number => deps.clock?.now() ?? Date.now();
  const marks = deps.marks ?? (() => NO_MARKS);

  function find(name: string) {
    const entity = monitor.entity(name);
    if (!entity) throw new HttpError(404, `no entity named '${name}'`);
    return entity;
  }

  async function document(name: string) {
    return toDocument(find(name), monitor.state(name)!, await uptime.get(name), marks(name));
  }

  router.post('/entities/:name/ack', requireRole('editor'), async (ctx) => {
    const entity = find(ctx.params.name!);
    const { comment, duration } = await ackFields(ctx);
    const id = identityOf(ctx);
    const at = now();
    const ack = await acks.acknowledge(entity.name, {
      by: id.name ?? 'api token', at, comment, until: duration === null ? null : at + duration * 1000,
    });
    if (ack === null) throw new HttpError(409, `${entity.name} has no open incident to acknowledge (only an announced failure can be)`);
    ctx.body = await document(entity.name);
  });

  router.delete('/entities/:name/ack', requireRole('editor'), async (ctx) => {
    const entity = find(ctx.params.name!);
    await acks.unacknowledge(entity.name);
    ctx.body = await document(entity.name);
  });
}
