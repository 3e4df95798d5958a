// Map model -> SVG. Layouts are cached by the layout source (structure, labels and slots only);
// everything else (status colours, figures) is composed into the cached template. The layout
// itself runs in a child process.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MapModel, LayoutJob } from './source.ts';
import { mapSource } from './source.ts';
import type { MapTemplate } from './template.ts';
import { composeSvg } from './compose.ts';

/** Names a layout by its source: equal keys, equal geometry. */
export function layoutKey(layoutSource: string): string {
  return createHash('sha256').update(layoutSource).digest('base64url').slice(0, 16);
}

export type LayoutFn = (job: LayoutJob) => Promise<MapTemplate>;

export interface MapRenderer {
  /** The SVG for this model: a cached layout recoloured and refilled, or a new layout. */
  render(model: MapModel): Promise<string>;
  /** The same, with the key of its layout (the SVG's `data-layout`). */
  renderWithKey(model: MapModel): Promise<{ svg: string; layout: string }>;
  /** Layouts started so far (tests assert on it). */
  layouts(): number;
  close(): Promise<void>;
}

export interface MapRendererOptions {
  /** Replaces the layout process (tests that run the layout in-process). */
  readonly layout?: LayoutFn;
  /** Layouts kept (of every view): a map that flips between two shapes does not lay out on every flip. */
  readonly cacheSize?: number;
}

/**
 * Lays out each map in a child process of its own (see layout-process.ts): a little slower to
 * start than a worker thread, but the memory of a big layout goes back to the system with it.
 */
export function createLayoutProcess(): { layout: LayoutFn; close(): Promise<void> } {
  const children = new Set<ChildProcess>();
  const entry = fileURLToPath(new URL('./layout-process.ts', import.meta.url));
  return {
    layout(job) {
      return new Promise<MapTemplate>((resolve, reject) => {
        // No inherited flags (a test runner's, an inspector's): the child only lays out.
        const child = fork(entry, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        children.add(child);
        let settled = false;
        child.once('message', (msg: { template?: MapTemplate; error?: string }) => {
          settled = true;
          if (msg.template) resolve(msg.template);
          else reject(new Error(`map layout failed: ${msg.error}`));
        });
        child.once('error', (err) => { if (!settled) { settled = true; reject(err); } });
        child.once('exit', (code, signal) => {
          children.delete(child);
          if (!settled) { settled = true; reject(new Error(`map layout process ended (${signal ?? `exit ${code}`})`)); }
        });
        child.send(job);
      });
    },
    async close() {
      const ending = [...children].map((child) => new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }));
      await Promise.all(ending);
    },
  };
}

export function createMapRenderer(options: MapRendererOptions = {}): MapRenderer {
  const own = options.layout ? null : createLayoutProcess();
  const layout = options.layout ?? own!.layout;
  const cacheSize = options.cacheSize ?? 24;
  // Insertion order is recency: the oldest layout is dropped first.
  const cache = new Map<string, Promise<MapTemplate>>();
  let count = 0;

  function templateFor(job: LayoutJob): Promise<MapTemplate> {
    const hit = cache.get(job.source);
    if (hit) {
      cache.delete(job.source);
      cache.set(job.source, hit);
      return hit;
    }
    count += 1;
    const made = layout(job);
    // A failed layout is not cached: the next render tries again.
    made.catch(() => { if (cache.get(job.source) === made) cache.delete(job.source); });
    cache.set(job.source, made);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    return made;
  }

  async function renderWithKey(model: MapModel): Promise<{ svg: string; layout: string }> {
    const job = mapSource(model, 'layout');
    const layout = layoutKey(job.source);
    return { svg: composeSvg(await templateFor(job), model, layout), layout };
  }

  return {
    renderWithKey,
    async render(model) {
      return (await renderWithKey(model)).svg;
    },
    layouts: () => count,
    async close() {
      cache.clear();
      await own?.close();
    },
  };
}
