// The HTTP API and web page. createApp never listens: main.ts and tests decide how to serve it.
import Koa from 'koa';
import Router from '@koa/router';
import serve from 'koa-static';
import compress from 'koa-compress';
import { systemClock } from '../clock.ts';
import type { AppDeps } from './deps.ts';
import { errorMiddleware } from './errors.ts';
import { createUptimeCache } from './uptime.ts';
import { entityRoutes } from './routes/entities.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { mapRoutes } from './routes/map.ts';
import { eventRoutes } from './routes/events.ts';

export type { AppDeps, ConfigStatus } from './deps.ts';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();

  app.on('error', (err: NodeJS.ErrnoException) => {
    // Every client that goes away mid-response is reported here; it is not a server fault.
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    deps.logger.error({ err: err.message }, 'http error');
  });

  entityRoutes(router, deps, deps.uptime ?? createUptimeCache(deps.store, deps.clock ?? systemClock));
  healthRoutes(router, deps);
  if (deps.metrics) metricsRoutes(router, deps.metrics);
  if (deps.map) mapRoutes(router, deps.map);
  if (deps.events) eventRoutes(router, deps.events);

  app.use(errorMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    // The page runs only its own scripts and styles; the inline map is SVG markup, not script.
    ctx.set('Content-Security-Policy', CSP);
    await next();
  });
  app.use(compress({ threshold: 1024 }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  if (deps.webDir) app.use(serve(deps.webDir, { maxage: 0 }));
  return app;
}
