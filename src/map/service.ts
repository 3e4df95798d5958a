// The live map: told of results, transitions and reloads, rebuilds a view's model when something changed and
// a client asks for it, and keeps each view's SVG, source and live cells with their ETags until
// the next change.
import { createHash } from 'node:crypto';
import type { Monitor, MonitorSubscriber } from '../monitor/monitor.ts';
import type { EntityState, Extra, Transition } from '../types.ts';
import type { Logger } from '../log.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { silentLogger } from '../log.ts';
import { mapSource } from './source.ts';
import type { MapModel } from './source.ts';
import { createMapRenderer, layoutKey } from './render.ts';
import type { MapRenderer } from './render.ts';
import { liveCells } from './compose.ts';
import { indexGraph } from './graph.ts';
import type { MapGraph } from './graph.ts';
import { buildView, countTransition } from './views.ts';
import type { Structure } from './views.ts';
import { defaultView, viewName } from './view.ts';
import type { ViewSpec } from './view.ts';

export interface Rendered {
  readonly body: string;
  /** Strong validator: quoted hash of the body. */
  readonly etag: string;
}

export interface MapService extends Required<MonitorSubscriber> {
  /** The SVG of a view (null: the default view). Throws ViewError for a group or entity that does not exist. */
  svg(spec?: ViewSpec | null): Promise<Rendered>;
  /** The view's nomnoml source. */
  source(spec?: ViewSpec | null): Rendered;
  /**
   * The view's live cells as JSON, `{ view, layout, cells: [{ kind, name, status, lines }] }`:
   * while `layout` matches the SVG's `data-layout`, the page updates cells in place.
   */
  cells(spec?: ViewSpec | null): Rendered;
  /** Layouts run so far. */
  layouts(): number;
  close(): Promise<void>;
}

export interface MapServiceOptions {
  readonly monitor: Pick<Monitor, 'config' | 'state'>;
  readonly renderer?: MapRenderer;
  readonly logger?: Logger;
  readonly clock?: Pick<Clock, 'now'>;
  /**
   * How long a rendered map may go on serving when only figures (latency, ratio, size) changed
   * since; a status or configuration change always renders anew. Default 1000 ms.
   */
  readonly figureRefreshMs?: number;
  /** Views kept rendered (each with its model); the least recently asked for goes first. Default 32. */
  readonly viewCacheSize?: number;
  /** Whether an entity flaps now: its cell is marked. */
  readonly flapping?: (name: string) => boolean;
}

function rendered(body: string): Rendered {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/** Sticky check figures per entity: a failed check drops `size`, but the cell keeps its line. */
export function createFigureMemory() {
  const memory = new Map<string, Extra>();
  return {
    remember(state: EntityState): void {
      memory.set(state.name, { ...memory.get(state.name), ...state.extra });
    },
    /** The state with every figure its entity reported since the start, newest values first. */
    view(state: EntityState): EntityState {
      const known = memory.get(state.name);
      return known ? { ...state, extra: { ...known, ...state.extra } } : state;
    },
    keepOnly(names: ReadonlySet<string>): void {
      for (const name of memory.keys()) if (!names.has(name)) memory.delete(name);
    },
  };
}

interface ViewCache {
  model?: { version: number; value: MapModel };
  svg?: { version: number; statusVersion: number; at: number; value: Promise<Rendered> };
  lastGood?: Rendered;
  source?: { version: number; value: Rendered };
  cells?: { version: number; statusVersion: number; at: number; value: Rendered };
}

export function createMapService(options: MapServiceOptions): MapService {
  const { monitor } = options;
  const logger = options.logger ?? silentLogger();
  const renderer = options.renderer ?? createMapRenderer();
  const figures = createFigureMemory();
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const figureRefreshMs = options.figureRefreshMs ?? 1000;
  const viewCacheSize = options.viewCacheSize ?? 32;
  // Every check changes a figure; with thousands of checks a second, rendering for each request
  // would cost a compose per request. Figures may lag by figureRefreshMs; statuses never do.
  let version = 0;
  let statusVersion = 0;
  let graph: MapGraph | null = null;
  /** What each view draws, for the current configuration (see buildView). */
  let structures = new Map<string, Structure>();
  const views = new Map<string, ViewCache>();

  const changed = (): void => { version += 1; };
  const statusChanged = (): void => { version += 1; statusVersion += 1; };
  const onTransition = (transition: Transition): void => {
    // Group and range cells keep their counts: the one entity moves, nothing is recounted, and
    // no view but problems changes shape with a status.
    for (const structure of structures.values()) countTransition(structure, transition.name, transition.to);
    statusChanged();
  };
  const onResult = (_entity: unknown, _result: unknown, state: EntityState): void => {
    figures.remember(state);
    changed();
  };
  let closed = false;
  const onConfig = (): void => {
    if (closed) return;
    figures.keepOnly(new Set(monitor.config().entities.map((e) => e.name)));
    statusChanged();
    warm();
  };

  function graphNow(): MapGraph {
    const config = monitor.config();
    if (graph?.config !== config) {
      graph = indexGraph(config);
      structures = new Map();
    }
    return graph;
  }

  /** The view's cache entry, most recently used last. */
  function entry(spec: ViewSpec | null | undefined): { spec: ViewSpec; cache: ViewCache } {
    const resolved = spec ?? defaultView(monitor.config());
    const name = viewName(resolved);
    const cache = views.get(name) ?? {};
    views.delete(name);
    views.set(name, cache);
    while (views.size > viewCacheSize) views.delete(views.keys().next().value!);
    return { spec: resolved, cache };
  }

  function modelOf(spec: ViewSpec, cache: ViewCache): MapModel {
    if (cache.model?.version !== version) {
      const built = buildView(graphNow(), (name) => {
        const state = monitor.state(name);
        return state && figures.view(state);
      }, spec, structures);
      const flapping = options.flapping;
      const value = flapping
        ? { ...built, nodes: built.nodes.map((n) => (n.kind === 'entity' && flapping(n.name) ? { ...n, flapping: true } : n)) }
        : built;
      cache.model = { version, value };
    }
    return cache.model.value;
  }

  /** Whether a cached rendering still serves: nothing changed, or only figures, and recently. */
  const fresh = (c: { version: number; statusVersion: number; at: number } | undefined): boolean =>
    c !== undefined && (c.version === version || (c.statusVersion === statusVersion && now() - c.at < figureRefreshMs));

  function renderSvg(spec?: ViewSpec | null): Promise<Rendered> {
    const { spec: resolved, cache } = entry(spec);
    if (fresh(cache.svg)) return cache.svg!.value;
    const model = modelOf(resolved, cache);
    const value = renderer.render(model).then(
      (body) => (cache.lastGood = rendered(body)),
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err), view: model.view }, 'map rendering failed');
        if (cache.lastGood) return cache.lastGood;
        throw err;
      },
    );
    cache.svg = { version, statusVersion, at: now(), value };
    return value;
  }

  /**
   * An estate with more entities than the renderer lays out in-process has views (groups, the
   * whole map) that go to the layout process: start it while the view asked for now is built, so
   * the next one, often a click away, does not wait for a process to start. It exits when idle.
   */
  function prestartFor(spec: ViewSpec | null | undefined): void {
    if (monitor.config().entities.length <= renderer.inProcessCells) return;
    // It warms up off the request path, so nomnoml's code is compiled before the first large
    // view needs it: on the view just built when that is small (a few milliseconds, so a view
    // asked for right after waits for little), else on the renderer's made-up view (warm-up.ts).
    const model = views.get(viewName(spec ?? defaultView(monitor.config())))?.model?.value;
    renderer.prestart(model && model.nodes.length <= renderer.inProcessCells ? mapSource(model, 'layout') : undefined);
  }

  /** Lays out the default view ahead of the first request after a start or a reload. */
  function warm(): void {
    renderSvg().catch(() => {});
    prestartFor(null);
  }
  warm();

  /** The view asked for last: a client asking for another one is navigating. */
  let lastAsked: string | null = null;

  return {
    svg(spec) {
      // Navigation (not a dashboard asking for the same view again) may lead to a large view next.
      const name = viewName(spec ?? defaultView(monitor.config()));
      const svg = renderSvg(spec);
      if (name !== lastAsked) prestartFor(spec);
      lastAsked = name;
      return svg;
    },
    source(spec) {
      const { spec: resolved, cache } = entry(spec);
      if (cache.source?.version !== version) cache.source = { version, value: rendered(mapSource(modelOf(resolved, cache), 'live').source) };
      return cache.source.value;
    },
    cells(spec) {
      const { spec: resolved, cache } = entry(spec);
      if (!fresh(cache.cells)) {
        const model = modelOf(resolved, cache);
        const body = JSON.stringify({ view: model.view, layout: layoutKey(mapSource(model, 'layout').source), cells: liveCells(model) });
        cache.cells = { version, statusVersion, at: now(), value: rendered(body) };
      }
      return cache.cells!.value;
    },
    layouts: () => renderer.layouts(),
    onResult,
    onTransition,
    onConfig,
    async close() {
      closed = true;
      await renderer.close();
    },
  };
}
