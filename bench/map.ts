// Question 3, the map: full layout time by size (nomnoml in this thread, and the first SVG through
// the real map service, which lays out small maps in-process and larger ones in its layout child
// process), the recolour path at 1,000 entities (status change -> updated SVG), and the longest
// event-loop stall of this thread while the layout process lays out 1,000 nodes. In-process: the
// figures are about code paths, not about the service's CPU.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.ts';
import { layoutMap } from '../src/map/layout.ts';
import { createMapService } from '../src/map/service.ts';
import { buildMap, mapSource } from '../src/map/source.ts';
import { initialState } from '../src/monitor/state.ts';
import type { Config, EntityState, Status, Transition } from '../src/types.ts';
import { entityName, fmt, mb, median, quantile, table, tempDir, writeEntities } from './common.ts';

const SIZES = [10, 50, 200, 500, 1_000];
const RECOLOURS = 40;

async function configOf(n: number): Promise<Config> {
  const dir = tempDir('map');
  try {
    return await loadConfig(writeEntities(dir.path, { count: n, interval: 10, baseUrl: 'http://127.0.0.1:9', shape: 'graph' }), {});
  } finally {
    dir.remove();
  }
}

/** A monitor as the map service sees it: the configuration and live states; status changes go to `map`. */
function fakeMonitor(config: Config) {
  const subscribers: { onTransition(t: Transition, s: EntityState): void }[] = [];
  const states = new Map<string, EntityState>();
  for (const [i, e] of config.entities.entries()) {
    states.set(e.name, {
      ...initialState(e.name), status: 'ok', since: 0, lastcheck: Date.now(), success_count: 1000 + i, fail_count: i % 7,
      message: '200 OK', latency_ms: 3 + (i % 40), extra: { http_status: 200 }, last_ok: true,
    });
  }
  return {
    subscribers,
    config: () => config,
    state: (name: string) => states.get(name),
    setStatus(name: string, status: Status) {
      const prev = states.get(name)!;
      const next = { ...prev, status, since: Date.now() };
      states.set(name, next);
      for (const s of subscribers) s.onTransition({ name, from: prev.status, to: status, at: Date.now(), message: '', blocked_by: null, prev_since: prev.since }, next);
    },
  };
}

const layoutRows: (string | number)[][] = [];
let recolourRow: (string | number)[] = [];
let stallRow: (string | number)[] = [];

for (const n of SIZES) {
  const config = await configOf(n);
  const monitor = fakeMonitor(config);
  const job = mapSource(buildMap(config, monitor.state), 'layout');
  const runs = n <= 200 ? 5 : 3;
  const inThread: number[] = [];
  let svgBytes = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const template = layoutMap(job);
    inThread.push(performance.now() - t);
    svgBytes = template.parts.reduce((sum, p) => sum + p.length, 0);
  }

  // The real path: a fresh map service lays out its default view as it starts (in-process up to
  // IN_PROCESS_CELLS cells, else in a layout process it starts).
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const rssBefore = process.memoryUsage.rss();
  delay.enable();
  const t = performance.now();
  const service = createMapService({ monitor });
  monitor.subscribers.splice(0, Infinity, service);
  const first = await service.svg();
  const viaService = performance.now() - t;
  delay.disable();
  const rssAfter = process.memoryUsage.rss();
  layoutRows.push([fmt(n, 0), fmt(job.source.length / 1024, 0), mb(svgBytes), fmt(median(inThread), 0), fmt(viaService, 0)]);

  if (n === 1_000) {
    stallRow = [fmt(n, 0), fmt(viaService, 0), fmt(delay.max / 1e6, 1), fmt(delay.percentile(99) / 1e6, 1), mb(rssAfter - rssBefore)];
    // Recolour: one entity changes status; time until the service answers with the new SVG.
    const times: number[] = [];
    let previous = first.body;
    for (let k = 0; k < RECOLOURS; k++) {
      const name = entityName((Math.floor(k / 2) * 37) % n); // to error, then back
      const start = performance.now();
      monitor.setStatus(name, k % 2 === 0 ? 'error' : 'ok');
      const next = await service.svg();
      times.push(performance.now() - start);
      if (next.body === previous) throw new Error('the SVG did not change after a status change');
      previous = next.body;
    }
    if (service.layouts() !== 1) throw new Error(`recolouring laid out again (${service.layouts()} layouts)`);
    times.sort((a, b) => a - b);
    recolourRow = [fmt(n, 0), RECOLOURS, fmt(median(times), 1), fmt(quantile(times, 0.95), 1), fmt(times.at(-1)!, 1)];
  }
  await service.close();
}

console.log('### 3. Map\n');
console.log('Full layout (graph in groups of ten, one edge per service, cross-group edges):\n');
console.log(table(['entities', 'nomnoml source (KiB)', 'SVG', 'layout in-thread (ms, median)', 'first SVG via a fresh map service (ms)'], layoutRows));
console.log('\nRecolour (status change -> updated SVG from the map service, cached layout):\n');
console.log(table(['entities', 'changes', 'median (ms)', 'p95 (ms)', 'max (ms)'], [recolourRow]));
console.log('\nServing thread while the layout process lays out (monitorEventLoopDelay, 1 ms resolution):\n');
console.log(table(['entities', 'layout to SVG (ms)', 'longest stall (ms)', 'p99 delay (ms)', 'RSS of this process added by the layout'], [stallRow]));
