import type Router from '@koa/router';
import type { Context } from 'koa';
import type { MapService, Rendered } from '../../map/service.ts';

function send(ctx: Context, rendered: Rendered, type: string): void {
  ctx.status = 200;
  ctx.type = type;
  ctx.set('ETag', rendered.etag);
  // Revalidate every time: the map changes with every status change.
  ctx.set('Cache-Control', 'no-cache');
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  ctx.body = rendered.body;
}

export function mapRoutes(router: Router, map: MapService): void {
  router.get('/map.svg', async (ctx) => send(ctx, await map.svg(), 'image/svg+xml; charset=utf-8'));
  router.get('/map.nomnoml', (ctx) => send(ctx, map.source(), 'text/plain; charset=utf-8'));
}
