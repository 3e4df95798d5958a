// The map's views at 1,000 / 5,000 / 20,000 entities (regions × clusters × services, dependencies
// inside and across groups): time from a loaded configuration to the first map (the default
// view), each kind of view laid out on its own with its cell count, and a status change to the
// updated SVG (no layout). Through the real map service and its layout process, in-process
// otherwise.
import module from 'node:module';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { createMapService } from '../src/map/service.ts';
import { createLayoutProcess, createMapRenderer, prestartForConfig } from '../src/map/render.ts';
import { indexGraph } from '../src/map/graph.ts';
import { buildView } from '../src/map/views.ts';
import { mapSource } from '../src/map/source.ts';
import type { LayoutJob } from '../src/map/source.ts';
import { warmUpJob } from '../src/map/warm-up.ts';
import type { ViewSpec } from '../src/map/view.ts';
import { initialState } from '../src/monitor/state.ts';
import type { EntityState } from '../src/types.ts';
import { fmt, median, table, tempDir, writeEntities } from './common.ts';
import { estateShape, estateYaml } from './samples.ts';

// As bin/pulsemap.js does: the layout process reuses the code compiled from TypeScript.
const compileCache = module.enableCompileCache?.();
if (compileCache?.directory && process.env.NODE_COMPILE_CACHE === undefined) process.env.NODE_COMPILE_CACHE = compileCache.directory;

// --sizes 20000 measures one size only; --pause MS waits that long after the first map before
// asking for the other views, as a user reads the first map before clicking (the layout process,
// prestarted with the first map, warms up meanwhile). Default: no pause, every view at once.
const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const SIZES = flag('--sizes')?.split(',').map(Number) ?? [1_000, 5_000, 20_000];
const PAUSE_MS = Number(flag('--pause') ?? 0);
// --warm-up N: N rounds of the first and second 112-cell layout (20,000 entities) in a layout
// process prestarted 3 s before, with no warm-up, the small default view (the overview) as
// warm-up, or the made-up 128-cell view the service uses.
const WARM_UP_ROUNDS = Number(flag('--warm-up') ?? 0);
const warmRows: (string | number)[][] = [];
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(', ');
const loadAtStart = load();
const rows: (string | number)[][] = [];
const recolour: (string | number)[][] = [];

for (const n of SIZES) {
  const dir = tempDir('views');
  const file = path.join(dir.path, 'entities.yaml');
  writeFileSync(file, estateYaml(estateShape(n), 'http://127.0.0.1:9/health'));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  // As the service starts (src/main.ts): the layout process is started before a large file is read.
  const renderer = createMapRenderer();
  prestartForConfig(renderer, file);
  const config = await loadConfig(file, {});
  const loaded = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const loadedCpu = (cpu.user + cpu.system) / 1000;
  dir.remove();
  const states = new Map<string, EntityState>(config.entities.map((e, i) => [e.name, {
    ...initialState(e.name), status: 'ok', lastcheck: 1, success_count: 100, latency_ms: 3 + (i % 40), extra: { http_status: 200 }, last_ok: true,
  }]));
  const map = createMapService({ monitor: { config: () => config, state: (name) => states.get(name) }, renderer });
  const cells = (body: string): number => (body.match(/ data-(?:entity|group|range)="/g) ?? []).length;
  const first = await map.svg();
  const total = performance.now() - started;
  rows.push([n.toLocaleString('en'), `first map: load config (${fmt(loaded, 0)} ms; ${fmt(loadedCpu, 0)} ms CPU) + default view (${fmt(total - loaded, 0)} ms)`, cells(first.body), `${fmt(total, 0)} ms`]);
  if (PAUSE_MS > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));

  const views: [string, ViewSpec][] = [
    ['overview', { kind: 'overview' }],
    ['group region-0', { kind: 'group', path: 'region-0' }],
    ['group region-0/cluster-0', { kind: 'group', path: 'region-0/cluster-0' }],
    ['group region-0/cluster-1', { kind: 'group', path: 'region-0/cluster-1' }],
    ['focus r0c0s10', { kind: 'focus', name: 'r0c0s10' }],
  ];
  // A cascade for the problems view: one cluster's database fails, its services are blocked.
  const fail = (name: string, status: 'error' | 'blocked'): void => {
    const next = { ...states.get(name)!, status, blocked_by: status === 'blocked' ? 'r1c1s0' : null, message: 'connection refused' } as EntityState;
    states.set(name, next);
    map.onTransition({ name, from: 'ok', to: status, at: 2, message: '', blocked_by: null, prev_since: null }, next);
  };
  for (const e of config.entities) if (e.name.startsWith('r1c1s')) fail(e.name, e.name === 'r1c1s0' ? 'error' : 'blocked');
  views.push(['problems (a cluster down)', { kind: 'problems' }]);
  for (const [label, spec] of views) {
    const t = performance.now();
    const svg = await map.svg(spec);
    rows.push([n.toLocaleString('en'), label, cells(svg.body), `${fmt(performance.now() - t, 0)} ms`]);
  }

  // Status change -> updated SVG of a view already laid out (overview and a cluster).
  for (const [label, spec] of [views[0]!, views[2]!]) {
    const times: number[] = [];
    const layouts = map.layouts();
    for (let i = 0; i < 10; i++) {
      const name = `r0c0s${1 + (i % 5)}`;
      const prev = states.get(name)!;
      const next = { ...prev, status: prev.status === 'ok' ? 'pending' : 'ok' } as EntityState;
      states.set(name, next);
      const t = performance.now();
      map.onTransition({ name, from: prev.status, to: next.status, at: 3 + i, message: '', blocked_by: null, prev_since: null }, next);
      await map.svg(spec);
      times.push(performance.now() - t);
    }
    recolour.push([n.toLocaleString('en'), label, `${fmt(median(times), 1)} ms`, `${fmt(Math.max(...times), 1)} ms`, map.layouts() - layouts]);
  }
  await map.close();
}

// The capacity bench's estate: 20,000 entities in 2,000 top-level groups of ten (`vds_N`), one
// group down. The overview collects the groups into range cells; a range opens into its groups.
if (SIZES.includes(20_000)) {
  const dir = tempDir('views-flat');
  const config = await loadConfig(writeEntities(dir.path, { count: 20_000, interval: 60, baseUrl: 'http://127.0.0.1:9', shape: 'graph' }), {});
  dir.remove();
  const down = new Set(config.entities.filter((e) => e.group === 'vds_1234').map((e) => e.name));
  const states = new Map<string, EntityState>(config.entities.map((e) => [e.name, {
    ...initialState(e.name), status: down.has(e.name) ? 'error' : 'ok', lastcheck: 1, latency_ms: 3, extra: { http_status: 200 }, last_ok: !down.has(e.name), message: down.has(e.name) ? 'connection refused' : '',
  }]));
  const map = createMapService({ monitor: { config: () => config, state: (name) => states.get(name) } });
  const count = (body: string, kind: string): number => (body.match(new RegExp(` data-${kind}="`, 'g')) ?? []).length;
  const label = '20,000 (2,000 groups of 10)';
  let t = performance.now();
  const overview = await map.svg({ kind: 'overview' });
  const cellsOf = (body: string): string => `${count(body, 'range') + count(body, 'group') + count(body, 'entity')} (${count(body, 'range')} ranges)`;
  rows.push([label, 'overview, vds_1234 in error (its range red)', cellsOf(overview.body), `${fmt(performance.now() - t, 0)} ms`]);
  const ranges = [...overview.body.matchAll(/ data-range="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
  for (const range of ranges.slice(0, 2)) {
    t = performance.now();
    const svg = await map.svg({ kind: 'range', range });
    rows.push([label, `range ${range}`, cellsOf(svg.body), `${fmt(performance.now() - t, 0)} ms`]);
  }
  await map.close();
}

if (WARM_UP_ROUNDS > 0) {
  const dir = tempDir('views-warm');
  const file = path.join(dir.path, 'entities.yaml');
  writeFileSync(file, estateYaml(estateShape(20_000), 'http://127.0.0.1:9/health'));
  const config = await loadConfig(file, {});
  dir.remove();
  const graph = indexGraph(config);
  const lookup = (name: string): EntityState => ({ ...initialState(name), status: 'ok', latency_ms: 3, extra: { http_status: 200 } });
  const job = (spec: ViewSpec) => mapSource(buildView(graph, lookup, spec), 'layout');
  const [first, second] = [job({ kind: 'group', path: 'region-0/cluster-0' }), job({ kind: 'group', path: 'region-0/cluster-1' })];
  const kinds: [string, LayoutJob | undefined][] = [['none', undefined], ['the overview (20 cells)', job({ kind: 'overview' })], ['made-up view (128 cells)', warmUpJob()]];
  const times = new Map(kinds.map(([k]) => [k, { first: [] as number[], second: [] as number[] }]));
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (const [kind, warm] of kinds) {
      const layouts = createLayoutProcess();
      layouts.prestart(warm);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      let t = performance.now();
      await layouts.layout(first);
      times.get(kind)!.first.push(performance.now() - t);
      t = performance.now();
      await layouts.layout(second);
      times.get(kind)!.second.push(performance.now() - t);
      await layouts.close();
    }
  }
  for (const [kind, { first: a, second: b }] of times) {
    warmRows.push([kind, `${fmt(median(a), 0)} ms`, a.map((x) => fmt(x, 0)).join(' / '), `${fmt(median(b), 0)} ms`, b.map((x) => fmt(x, 0)).join(' / ')]);
  }
}

console.log(`_load average (1, 5, 15 min): ${loadAtStart} at the start, ${load()} at the end; ${process.version}_\n`);
console.log(`### Map views: layout per view (budget: ≤ 500 ms at ≤ 300 cells; first map ≤ 2 s; any group view ≤ 1 s)${PAUSE_MS ? `; views asked for ${PAUSE_MS} ms after the first map` : ''}\n`);
console.log(table(['entities', 'view', 'cells', 'time'], rows));
console.log('\n### Status change → updated SVG (budget ≤ 50 ms; no new layout)\n');
console.log(table(['entities', 'view', 'median', 'max', 'new layouts'], recolour));
if (warmRows.length > 0) {
  console.log(`\n### The layout process's first 112-cell view by warm-up (20,000 entities; prestarted 3 s before; ${WARM_UP_ROUNDS} rounds)\n`);
  console.log(table(['warm-up', 'first view, median', 'each round', 'second view, median', 'each round'], warmRows));
}
