// The live map: told of results, transitions and reloads, rebuilds the model when something changed and a
// client asks, and keeps the rendered SVG and source with their ETags until the next change.
import { createHash } from 'node:crypto';
import type { Monitor, MonitorSubscriber } from '../monitor/monitor.ts';
import type { EntityState, Extra } from '../types.ts';
import type { Logger } from '../log.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { silentLogger } from '../log.ts';
import { buildMap, mapSource } from './source.ts';
import type { MapModel } from './source.ts';
import { createMapRenderer } from './render.ts';
import type { MapRenderer } from './render.ts';

export interface Rendered {
  readonly body: string;
  /** Strong validator: quoted hash of the body. */
  readonly etag: string;
}

export interface MapService extends Required<MonitorSubscriber> {
  svg(): Promise<Rendered>;
  source(): Rendered;
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
  /**
   * Larger configurations get a notice instead of a diagram: a layout of thousands of nodes takes
   * minutes and gigabytes, and nobody can read the result. Default 2000.
   */
  readonly maxEntities?: number;
  /** Maps up to this size are laid out ahead of the first request; larger ones on demand. Default 500. */
  readonly warmMaxEntities?: number;
}

/** What /map.svg serves when the configuration is beyond `maxEntities`. */
export function tooLargeSvg(count: number, max: number): string {
  return '<svg xmlns="http://www.w3.org/2000/svg" class="pm-map pm-map-off" width="720" height="64" viewBox="0 0 720 64">'
    + `<text x="16" y="38" font-family="Helvetica" font-size="14" fill="#7d8797">The map is off: ${count} entities is more than ${max}.`
    + ' The table lists them all; PULSEMAP_MAP_MAX_ENTITIES raises the limit.</text></svg>';
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

export function createMapService(options: MapServiceOptions): MapService {
  const { monitor } = options;
  const logger = options.logger ?? silentLogger();
  const renderer = options.renderer ?? createMapRenderer();
  const figures = createFigureMemory();
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const figureRefreshMs = options.figureRefreshMs ?? 1000;
  const maxEntities = options.maxEntities ?? 2000;
  const warmMaxEntities = options.warmMaxEntities ?? 500;
  // Every check changes a figure; with thousands of checks a second, rendering for each request
  // would cost a compose per request. Figures may lag by figureRefreshMs; statuses never do.
  let version = 0;
  let statusVersion = 0;
  let model: { version: number; value: MapModel } | null = null;
  let svg: { version: number; statusVersion: number; at: number; value: Promise<Rendered> } | null = null;
  let lastGood: Rendered | null = null;
  let source: { version: number; value: Rendered } | null = null;

  const changed = (): void => { version += 1; };
  const statusChanged = (): void => { version += 1; statusVersion += 1; };
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

  function current(): MapModel {
    if (model?.version !== version) {
      model = { version, value: buildMap(monitor.config(), (name) => {
        const state = monitor.state(name);
        return state && figures.view(state);
      }) };
    }
    return model.value;
  }

  function renderSvg(): Promise<Rendered> {
    if (svg?.version === version) return svg.value;
    if (svg?.statusVersion === statusVersion && now() - svg.at < figureRefreshMs) return svg.value;
    const count = monitor.config().entities.length;
    const drawn = count > maxEntities ? Promise.resolve(tooLargeSvg(count, maxEntities)) : renderer.render(current());
    const value = drawn.then(
      (body) => (lastGood = rendered(body)),
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'map rendering failed');
        if (lastGood) return lastGood;
        throw err;
      },
    );
    svg = { version, statusVersion, at: now(), value };
    return value;
  }

  /** Lays out ahead of the first request after a start or a reload. */
  function warm(): void {
    if (monitor.config().entities.length <= warmMaxEntities) renderSvg().catch(() => {});
  }
  warm();

  return {
    svg: renderSvg,
    source() {
      if (source?.version !== version) source = { version, value: rendered(mapSource(current(), 'live').source) };
      return source.value;
    },
    layouts: () => renderer.layouts(),
    onResult,
    onTransition: statusChanged,
    onConfig,
    async close() {
      closed = true;
      await renderer.close();
    },
  };
}
