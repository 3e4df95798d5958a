import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';

export function healthRoutes(router: Router, deps: AppDeps): void {
  router.get('/health', async (ctx) => {
    const config = deps.configStatus();
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      status: 'ok',
      entities: deps.monitor.config().entities.length,
      store: deps.store.kind,
      config: {
        path: config.path,
        loaded_at: new Date(config.loaded_at).toISOString(),
        error: config.error,
      },
      ...(deps.health ? await deps.health() : {}),
    };
  });
}
