// Sample configurations for the map: a small company (30 entities in 9 groups, one database whose
// failure blocks nine services) and a large nested estate (regions / clusters / services). Used by
// the benchmarks, the browser tests and `npm run screenshots`, so all three show the same maps.

export interface CompanyTargets {
  /** Answers 200. */
  readonly ok: string;
  /** Answers 503: a service whose database is gone. */
  readonly failing: string;
  /** Refuses connections: the root cause. */
  readonly refused: string;
}

interface SampleEntity {
  readonly group?: string;
  readonly deps?: readonly string[];
  readonly ping?: boolean;
  readonly extra?: string;
}

/** The company: name -> entity. `pg_primary` is the root; the nine services that need it fail. */
const COMPANY: Readonly<Record<string, SampleEntity>> = {
  vm_host_1: { group: 'infra', ping: true },
  vm_host_2: { group: 'infra', ping: true },
  dns: { group: 'infra', ping: true },
  pg_primary: { group: 'data', deps: ['vm_host_1'], extra: '{ engine: postgres }' },
  pg_replica: { group: 'data', deps: ['vm_host_2'] },
  redis: { group: 'data', deps: ['vm_host_2'] },
  kafka: { group: 'messaging', deps: ['vm_host_2'] },
  mail_relay: { group: 'messaging', deps: ['dns'] },
  auth_api: { group: 'auth', deps: ['pg_primary', 'redis'] },
  sessions: { group: 'auth', deps: ['redis'] },
  payments_api: { group: 'payments', deps: ['pg_primary', 'kafka'] },
  billing_worker: { group: 'payments', deps: ['payments_api'] },
  stripe_webhook: { group: 'payments', deps: ['payments_api'] },
  elastic: { group: 'search', deps: ['vm_host_2'] },
  indexer: { group: 'search', deps: ['kafka', 'pg_replica', 'elastic'] },
  search_api: { group: 'search', deps: ['elastic'] },
  orders_api: { group: 'api', deps: ['pg_primary', 'payments_api'] },
  catalog_api: { group: 'api', deps: ['pg_replica', 'search_api'] },
  public_api: { group: 'api', deps: ['auth_api', 'orders_api', 'catalog_api'] },
  graphql: { group: 'api', deps: ['public_api'] },
  shop_web: { group: 'web', deps: ['public_api', 'static_assets'] },
  admin_web: { group: 'web', deps: ['graphql'] },
  static_assets: { group: 'web' },
  load_balancer: { group: 'edge', deps: ['vm_host_1', 'vm_host_2'] },
  cdn: { group: 'edge', deps: ['static_assets'] },
  waf: { group: 'edge', deps: ['load_balancer'] },
  status_page: { deps: ['dns'] },
  cron_runner: { deps: ['vm_host_1'] },
  backup_job: { deps: ['pg_replica'] },
  grafana: { deps: ['vm_host_2'], extra: '{ runs_in: docker }' },
};

/** The entities of the company sample that fail with the root, in file order. */
export const COMPANY_ROOT = 'pg_primary';
export const COMPANY_BLOCKED = ['auth_api', 'payments_api', 'billing_worker', 'stripe_webhook', 'orders_api', 'public_api', 'graphql', 'shop_web', 'admin_web'];
/** Every dependency of the company as an edge, `dependent -> dependency`. */
export const COMPANY_EDGES = Object.entries(COMPANY).flatMap(([name, e]) => (e.deps ?? []).map((d) => `${name} -> ${d}`));
/** The edges of the cascade, `dependent -> dependency`: from each blocked entity to the root or to another blocked one. */
export const COMPANY_CASCADE_EDGES = COMPANY_EDGES.filter((edge) => {
  const [from, to] = edge.split(' -> ') as [string, string];
  return COMPANY_BLOCKED.includes(from) && (to === COMPANY_ROOT || COMPANY_BLOCKED.includes(to));
});

/** The statuses of the company in its cascade: the root in error, nine blocked, the rest ok. */
export const companyCascade = (s: ReadonlyMap<string, string>): boolean =>
  [...s].every(([name, status]) => status === (name === COMPANY_ROOT ? 'error' : COMPANY_BLOCKED.includes(name) ? 'blocked' : 'ok'));

/** The company's entities.yaml. With `healthy`, every target answers (nothing fails). */
export function companyYaml(targets: CompanyTargets, options: { healthy?: boolean; interval?: number } = {}): string {
  const lines = [
    'title: Acme shop',
    `defaults: { interval: ${options.interval ?? 2}, retry_interval: 1, timeout: 10, failure_threshold: 2 }`,
    'entities:',
  ];
  for (const [name, e] of Object.entries(COMPANY)) {
    lines.push(`  ${name}:`);
    if (e.ping) {
      lines.push('    type: ping', '    host: 127.0.0.1');
    } else {
      const url = options.healthy ? targets.ok : name === COMPANY_ROOT ? targets.refused : COMPANY_BLOCKED.includes(name) ? targets.failing : targets.ok;
      lines.push('    type: api', `    url: ${url}`);
    }
    if (e.deps) lines.push(`    dependencies: [${e.deps.join(', ')}]`);
    if (e.group) lines.push(`    group: ${e.group}`);
    if (e.extra) lines.push(`    extra: ${e.extra}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface EstateShape {
  readonly regions: number;
  readonly clusters: number;
  readonly services: number;
}

/** Estate sizes by entity count: 20 regions × 10 clusters × 100 services at 20,000. */
export function estateShape(count: number): EstateShape {
  if (count >= 20_000) return { regions: 20, clusters: 10, services: count / 200 };
  if (count >= 5_000) return { regions: 10, clusters: 10, services: count / 100 };
  return { regions: 10, clusters: 5, services: Math.max(1, Math.round(count / 50)) };
}

/**
 * A nested estate: `region-R/cluster-C` groups of services. In each cluster, service 0 is its
 * database and services 1-9 its core services, which depend on it; every other service depends
 * on the database and on one core service. Every tenth service also depends on a core service of
 * the next cluster, and every fiftieth on one in the next region.
 * `failing` names the entities whose URL is `failingUrl`.
 */
export function estateYaml(shape: EstateShape, url: string, options: { interval?: number; failingUrl?: string; failing?: ReadonlySet<string> } = {}): string {
  const name = (r: number, c: number, s: number): string => `r${r}c${c}s${s}`;
  const out = ['title: Estate', `defaults: { interval: ${options.interval ?? 60}, retry_interval: 1, timeout: 2, failure_threshold: 1 }`, 'entities:'];
  for (let r = 0; r < shape.regions; r++) {
    for (let c = 0; c < shape.clusters; c++) {
      for (let s = 0; s < shape.services; s++) {
        const n = name(r, c, s);
        const deps: string[] = [];
        if (s > 0) deps.push(name(r, c, 0));
        if (s >= 10) deps.push(name(r, c, 1 + (s % 9)));
        if (s > 0 && s % 10 === 0) deps.push(name(r, (c + 1) % shape.clusters, 1));
        if (s > 0 && s % 50 === 0 && shape.regions > 1) deps.push(name((r + 1) % shape.regions, c, 1));
        const unique = [...new Set(deps)].filter((d) => d !== n);
        const target = options.failing?.has(n) ? options.failingUrl ?? url : url;
        out.push(`  ${n}: { type: api, url: '${target}', group: region-${r}/cluster-${c}${unique.length ? `, dependencies: [${unique.join(', ')}]` : ''} }`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
