// The HTTP API and web page. createApp never listens: main.ts and tests decide how to serve it.
import Koa from 'koa';
import Router from '@koa/router';
import serve from 'koa-static';
import compress from 'koa-compress';
import type { Monitor } from '../monitor/monitor.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../log.ts';
import { errorMiddleware } from './errors.ts';
import { createUptimeCache } from './uptime.ts';
import type { UptimeCache } from './uptime.ts';
import { entityRoutes } from './routes/entities.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import type { Metrics } from '../metrics.ts';
import { mapRoutes } from './routes/map.ts';
import { eventRoutes } from './routes/events.ts';
import type { EventHub } from './routes/events.ts';
import type { MapService } from '../map/service.ts';

export interface ConfigStatus {
  readonly path: string;
  /** Epoch ms when the running configuration was loaded. */
  readonly loaded_at: number;
  /** `file:line:col: message` lines of a rejected edit, null when the file is good. */
  readonly error: string[] | null;
}

export interface AppDeps {
  readonly monitor: Monitor;
  readonly store: Store;
  readonly logger: Logger;
  readonly configStatus: () => ConfigStatus;
  readonly now?: () => number;
  /** Directory of the web page; omitted in API-only tests. */
  readonly webDir?: string;
  /** More fields for /health (alert outbox and the like). */
  readonly health?: () => Promise<Record<string, unknown>>;
  /** Uptime windows shared with other readers (the event hub); made here when omitted. */
  readonly uptime?: UptimeCache;
  /** Serves GET /metrics when given. */
  readonly metrics?: Metrics;
  /** Serves GET /map.svg and /map.nomnoml when given. */
  readonly map?: MapService;
  /** Serves GET /events (Server-Sent Events) when given. */
  readonly events?: EventHub;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const router = new Router();
  const now = deps.now ?? Date.now;

  app.on('error', (err: NodeJS.ErrnoException) => {
    // Every client that goes away mid-response is reported here; it is not a server fault.
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    deps.logger.error({ err: err.message }, 'http error');
  });

  entityRoutes(router, deps, deps.uptime ?? createUptimeCache(deps.store, now));
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
