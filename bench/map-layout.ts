// How long does a map layout take at 200 and 1000 entities, per nomnoml ranker, and how long
// does a recolour (compose onto the cached layout) take? Prints a table (median of three layouts).
// Run: node bench/map-layout.ts [sizes...]
import { buildMap, mapSource } from '../src/map/source.ts';
import { layoutMap } from '../src/map/layout.ts';
import { composeSvg } from '../src/map/compose.ts';
// Seeded, so every run lays out the same graph.
import { mulberry32 } from '../test/map/helpers.ts';
import { initialState } from '../src/monitor/state.ts';
import type { Config, Entity, EntityState } from '../src/types.ts';
import { buildAuth } from '../src/auth/config.ts';

export function syntheticConfig(size: number, seed = 1, groups = true): Config {
  const random = mulberry32(seed);
  const entities: Entity[] = [];
  for (let i = 0; i < size; i++) {
    const deps = new Set<string>();
    const later = size - i - 1;
    for (let k = 0; k < 2 && later > 0; k++) if (random() < 0.7) deps.add(`svc_${i + 1 + Math.floor(random() * Math.min(later, 25))}`);
    entities.push({
      name: `svc_${i}`, type: 'api', url: `http://127.0.0.1:${8000 + (i % 250)}/health`, target: `http://127.0.0.1:${8000 + (i % 250)}/health`,
      method: 'GET', headers: {}, body: null, follow_redirects: true,
      expect: { status: null, body_contains: null, json: null, max_latency_ms: null },
      interval: 60, timeout: 10, retry_interval: 15, failure_threshold: 3, success_threshold: 1,
      dependencies: [...deps], group: random() < 0.3 && groups ? `host_${Math.floor(i / 10)}` : null,
      extra: random() < 0.3 ? { runs_in: 'docker' } : {}, line: i + 1,
    });
  }
  return {
    path: 'bench.yaml', title: 'bench', public_url: null, cluster: null, heartbeat: { url: null, interval: 60 }, entities,
    notify: { channels: [], default: null, degraded: false, config_errors: true, reminder: 0 },
    groups: {}, retention: { raw_days: 7 }, api_token: null, auth: buildAuth(), status_pages: [], announcements: [], badges: 'listed', maintenance: [], probes: [], map: { max_entities: 60 }, checks: { max_in_flight: 1000 },
  };
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const rows: string[][] = [['entities', 'groups', 'ranker', 'layout ms', 'recolour ms', 'svg kB']];
  for (const [size, groups] of (sizes.length > 0 ? sizes : [200, 1000]).flatMap((n) => [[n, false], [n, true]] as const)) {
    const config = syntheticConfig(size, 1, groups);
    const states = new Map<string, EntityState>(config.entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', success_count: 10, latency_ms: 42 }]));
    const model = buildMap(config, (n) => states.get(n));
    for (const ranker of ['network-simplex', 'tight-tree']) {
      const job = mapSource(model, 'layout');
      const runs = [0, 1, 2].map(() => time(() => layoutMap({ ...job, source: job.source.replace('#ranker: tight-tree', `#ranker: ${ranker}`) })));
      const [template, ms] = runs.sort((a, b) => a[1] - b[1])[1]!; // median of three
      const [svg, recolour] = time(() => composeSvg(template, model));
      rows.push([String(size), groups ? 'yes' : 'no', ranker, ms.toFixed(0), recolour.toFixed(1), (svg.length / 1024).toFixed(0)]);
    }
  }
  for (const r of rows) console.log(r.map((c, i) => (i === 2 ? c.padEnd(16) : c.padStart(11))).join(' '));
}
