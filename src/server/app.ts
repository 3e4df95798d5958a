// The HTTP API and web page. createApp never listens: main.ts and tests decide how to serve it.
import Koa from 'koa';
import Router from '@koa/router';
import compress from 'koa-compress';
import { systemClock } from '../clock.ts';
import type { AppDeps } from './deps.ts';
import { errorMiddleware } from './errors.ts';
import { staticFiles } from './static.ts';
import { createUptimeCache } from './uptime.ts';
import { adminRoutes } from './routes/admin.ts';
import { entityRoutes } from './routes/entities.ts';
import { ackRoutes } from './routes/ack.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { mapRoutes } from './routes/map.ts';
import { eventRoutes } from './routes/events.ts';
import { authRoutes } from './routes/auth.ts';
import { configRoutes } from './routes/config.ts';
import { checkRole, identify, identityOf } from '../auth/identity.ts';
import { createSessions } from '../auth/sessions.ts';
import { createLoginLimiter } from '../auth/limiter.ts';
import { pushRoutes } from './routes/push.ts';
import { probeRoutes } from './routes/probe.ts';
import { seriesRoutes } from './routes/series.ts';
import { vendorRoutes } from './routes/vendor.ts';
import { statusRoutes } from './routes/status.ts';
import { reportRoutes } from './routes/report.ts';
import { announcementRoutes } from './routes/announcements.ts';
import { maintenanceRoutes } from './routes/maintenance.ts';
import { createAnnouncements } from '../status/announcements.ts';
import { createStatusService } from '../status/service.ts';

export type { AppDeps, ConfigStatus } from './deps.ts';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
  + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const auth = () => deps.monitor.config().auth;
  const sessions = deps.sessions ?? createSessions(now);
  // Routes anyone may call, login or not: logging in, and pages meant for the public.
  const open = new Router();
  // Everything else needs at least the viewer role (anyone, while no login is configured).
  const router = new Router();
  router.use(async (ctx, next) => {
    if (!auth().open.includes(ctx.path)) checkRole(ctx, 'viewer');
    await next();
  });

  app.on('error', (err: NodeJS.ErrnoException) => {
    // Every client that goes away mid-response is reported here; it is not a server fault.
    if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'ECONNRESET' || err.code === 'EPIPE') return;
    deps.logger.error({ err: err.message }, 'http error');
  });

  authRoutes(open, { auth, sessions, limiter: deps.loginLimiter ?? createLoginLimiter({ now }), logger: deps.logger });
  if (deps.editor && deps.audit) {
    configRoutes(router, { editor: deps.editor, audit: deps.audit });
    adminRoutes(router, { editor: deps.editor });
  }
  const uptime = deps.uptime ?? createUptimeCache(deps.store, clock);
  entityRoutes(router, deps, uptime);
  if (deps.acks) ackRoutes(router, deps, deps.acks, uptime);
  if (deps.maintenance) maintenanceRoutes(router, deps.maintenance, now);
  seriesRoutes(router, deps, now);
  reportRoutes(router, deps, now);
  const announcements = createAnnouncements(deps.store, () => deps.monitor.config());
  announcementRoutes(router, announcements, now);
  // Status pages and badges are public: anonymous even with login on.
  statusRoutes(open, createStatusService({ monitor: deps.monitor, store: deps.store, announcements, now }), () => deps.monitor.config());
  healthRoutes(router, deps);
  if (deps.metrics) metricsRoutes(router, deps.metrics);
  if (deps.map) mapRoutes(router, deps.map);
  if (deps.events) eventRoutes(router, deps.events);
  // A push is authenticated by its own token: jobs do not log in.
  if (deps.pushes) pushRoutes(open, { monitor: deps.monitor, pushes: deps.pushes, clock });
  if (deps.webDir) vendorRoutes(router);

  app.use(errorMiddleware(deps.logger));
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    // The page runs only its own scripts and styles; the inline map is SVG markup, not script.
    ctx.set('Content-Security-Policy', CSP);
    await next();
  });
  app.use(compress({ threshold: 1024 }));
  // Probes authenticate with their site's own token, which is no login token: before identify().
  if (deps.probes) {
    const probes = new Router();
    probeRoutes(probes, { probes: deps.probes, auth, limiter: deps.probeLimiter ?? createLoginLimiter({ now, free: { 'ip:': 10 } }) });
    app.use(probes.routes());
    app.use(probes.allowedMethods());
  }
  app.use(identify({ auth, sessions }));
  app.use(open.routes());
  app.use(open.allowedMethods());
  app.use(router.routes());
  app.use(router.allowedMethods());
  // With login on, the page itself sends a caller who may not read to the login form.
  app.use(async (ctx, next) => {
    if ((ctx.path === '/' || ctx.path === '/index.html') && identityOf(ctx).role === null) {
      ctx.redirect('login.html');
      return;
    }
    await next();
  });
  if (deps.webDir) app.use(staticFiles(deps.webDir, deps.logger));
  return app;
}
