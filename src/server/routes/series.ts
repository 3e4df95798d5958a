// GET /entities/:name/series and /groups/:path/series: buckets of checks, failures, latency
// and status time over a window (src/series).
import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { loadSeries } from '../../series/load.ts';
import { isWindowName, WINDOW_NAMES } from '../../series/windows.ts';
import type { WindowName } from '../../series/windows.ts';
import { groupMembers } from '../../series/members.ts';

export function parseWindow(raw: unknown, fallback: WindowName): WindowName {
  if (raw === undefined) return fallback;
  if (!isWindowName(raw)) throw new HttpError(400, `window must be one of ${WINDOW_NAMES.join(', ')}`);
  return raw;
}

export function seriesRoutes(router: Router, deps: AppDeps, now: () => number): void {
  router.get('/entities/:name/series', async (ctx) => {
    const entity = deps.monitor.entity(ctx.params.name!);
    if (!entity) throw new HttpError(404, `no entity named '${ctx.params.name}'`);
    ctx.body = await loadSeries(deps.store, [entity.name], parseWindow(ctx.query.window, '24h'), now());
  });

  router.get('/groups/*path/series', async (ctx) => {
    const path = String(ctx.params.path);
    const names = groupMembers(deps.monitor.config().entities, path);
    if (names.length === 0) throw new HttpError(404, `no group named '${path}'`);
    ctx.body = { group: path, entities: names, ...(await loadSeries(deps.store, names, parseWindow(ctx.query.window, '24h'), now())) };
  });
}
