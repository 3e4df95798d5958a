import type Router from '@koa/router';
import type { Metrics } from '../../metrics.ts';

export function metricsRoutes(router: Router, metrics: Metrics): void {
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = await metrics.render();
  });
}
