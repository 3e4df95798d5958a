import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { toDocument } from '../document.ts';
import { NO_MARKS } from '../../types.ts';
import type { UptimeCache } from '../uptime.ts';
import { requireRole } from '../../auth/identity.ts';

const MAX_HISTORY = 1000;

function parseLimit(raw: unknown): number {
  if (raw === undefined) return 100;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_HISTORY) throw new HttpError(400, `limit must be an integer from 1 to ${MAX_HISTORY}`);
  return n;
}

function parseBefore(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (Number.isNaN(n)) throw new HttpError(400, 'before must be an ISO 8601 time');
  return n;
}

export function entityRoutes(router: Router, deps: AppDeps, uptime: UptimeCache): void {
  const { monitor } = deps;
  const marks = deps.marks ?? (() => NO_MARKS);

  function find(name: string) {
    const entity = monitor.entity(name);
    const state = monitor.state(name);
    if (!entity || !state) throw new HttpError(404, `no entity named '${name}'`);
    return { entity, state };
  }

  router.get('/entities', async (ctx) => {
    const windows = await uptime.snapshot();
    ctx.body = monitor.list().map(({ entity, state }) => toDocument(entity, state, windows.get(entity.name), marks(entity.name)));
  });

  router.get('/entities/:name', async (ctx) => {
    const { entity, state } = find(ctx.params.name!);
    ctx.body = toDocument(entity, state, await uptime.get(entity.name), marks(entity.name));
  });

  router.get('/entities/:name/history', async (ctx) => {
    const { entity } = find(ctx.params.name!);
    const limit = parseLimit(ctx.query.limit);
    const before = parseBefore(ctx.query.before);
    const rows = await deps.store.history(entity.name, { limit, before });
    ctx.body = rows.map((r) => ({ at: new Date(r.at).toISOString(), ok: r.ok, status: r.status, latency_ms: r.latency_ms, message: r.message }));
  });

  router.post('/entities/:name/check', requireRole('editor'), async (ctx) => {
    const { entity } = find(ctx.params.name!);
    await monitor.checkNow(entity.name);
    ctx.body = toDocument(entity, monitor.state(entity.name)!, await uptime.get(entity.name), marks(entity.name));
  });
}
