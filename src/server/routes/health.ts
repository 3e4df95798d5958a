import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import type { ClusterView } from '../../cluster/node.ts';

// 503 while the store fails, so a health check sees the truth; the process itself still
// answers and checks go on (README: "When the store fails").
export function healthRoutes(router: Router, deps: AppDeps): void {
  router.get('/health', async (ctx) => {
    const config = deps.configStatus();
    const store = deps.storeStatus?.() ?? { ok: true, kind: deps.store.kind, error: null, since: null, ...deps.store.backlog() };
    ctx.set('Cache-Control', 'no-store');
    // An instance that stood down is up but does no work: a load balancer or a supervisor should know.
    const fenced = deps.cluster?.fenced() ?? false;
    ctx.status = fenced || !store.ok ? 503 : 200;
    ctx.body = {
      status: fenced ? 'fenced' : store.ok ? 'ok' : 'degraded',
      entities: deps.monitor.config().entities.length,
      store: { ...store, since: store.since === null ? null : new Date(store.since).toISOString() },
      config: {
        path: config.path,
        loaded_at: new Date(config.loaded_at).toISOString(),
        error: config.error,
      },
      ...(deps.health ? await deps.health() : {}),
      // Probes work with one instance too, so they are shown here and not only under cluster.
      ...(deps.probes && deps.monitor.config().probes.length > 0 ? { probes: deps.probes.status() } : {}),
      ...(deps.cluster ? { cluster: clusterView(deps, deps.cluster) } : {}),
    };
  });

  router.get('/cluster', (ctx) => {
    if (!deps.cluster) throw new HttpError(404, 'not running as one of several instances (no cluster: in the configuration)');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = clusterView(deps, deps.cluster);
  });
}

function clusterView(deps: AppDeps, cluster: NonNullable<AppDeps['cluster']>): ClusterView {
  return { ...cluster.view(), probes: deps.probes?.status() ?? [] };
}
