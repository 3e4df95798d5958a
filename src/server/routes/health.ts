import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';

export function healthRoutes(router: Router, deps: AppDeps): void {
  router.get('/health', async (ctx) => {
    const config = deps.configStatus();
    ctx.set('Cache-Control', 'no-store');
    // An instance that stood down is up but does no work: a load balancer or a supervisor should know.
    const fenced = deps.cluster?.fenced() ?? false;
    if (fenced) ctx.status = 503;
    ctx.body = {
      status: fenced ? 'fenced' : 'ok',
      entities: deps.monitor.config().entities.length,
      store: deps.store.kind,
      config: {
        path: config.path,
        loaded_at: new Date(config.loaded_at).toISOString(),
        error: config.error,
      },
      ...(deps.health ? await deps.health() : {}),
      ...(deps.cluster ? { cluster: deps.cluster.view() } : {}),
    };
  });

  router.get('/cluster', (ctx) => {
    if (!deps.cluster) throw new HttpError(404, 'not running as one of several instances (no cluster: in the configuration)');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.cluster.view();
  });
}
