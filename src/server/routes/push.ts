// GET or POST /push/TOKEN[?status=ok|error&msg=TEXT]: a job reports in. The token is compared in
// constant time with every push entity's, and an unknown one gets the same 404 as any other.
import { createHash, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Clock } from '../../clock.ts';
import type { PushInbox } from '../../checks/push-inbox.ts';
import type { Monitor } from '../../monitor/monitor.ts';
import type { Entity } from '../../types.ts';
import { HttpError } from '../errors.ts';
import { cleanText } from '../../probes/protocol.ts';

export interface PushDeps {
  readonly monitor: Pick<Monitor, 'config' | 'checkNow'>;
  readonly pushes: PushInbox;
  readonly clock: Pick<Clock, 'now'>;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The push entity with this token, or null. Every entity is compared, matched or not. */
export function findPushEntity(entities: readonly Entity[], token: string): string | null {
  const given = digest(token);
  let found: string | null = null;
  for (const entity of entities) {
    if (entity.type !== 'push') continue;
    if (timingSafeEqual(given, digest(entity.token)) && found === null) found = entity.name;
  }
  return found;
}

/** `msg` as one short line of plain text. */
const cleanMessage = (raw: unknown): string => cleanText(typeof raw === 'string' ? raw : '', 200);

export function pushRoutes(router: Router, deps: PushDeps): void {
  router.all('/push/:token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'POST') throw new HttpError(405, 'use GET or POST');
    const name = findPushEntity(deps.monitor.config().entities, ctx.params.token ?? '');
    if (name === null) throw new HttpError(404, 'not found');
    const status = ctx.query.status ?? 'ok';
    if (status !== 'ok' && status !== 'error') throw new HttpError(400, 'status must be ok or error');
    deps.pushes.record(name, { at: deps.clock.now(), ok: status === 'ok', message: cleanMessage(ctx.query.msg) });
    // Judged at once, so the answer comes after the entity's state reflects the push.
    await deps.monitor.checkNow(name);
    ctx.body = { ok: true };
  });
}
