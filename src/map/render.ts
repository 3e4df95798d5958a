// Map model -> SVG. Layouts are cached by the layout source (structure, labels and slots only);
// everything else (status colours, figures) is composed into the cached template. The layout
// itself runs in a worker thread.
import { Worker } from 'node:worker_threads';
import type { MapModel, LayoutJob } from './source.ts';
import { mapSource } from './source.ts';
import type { MapTemplate } from './template.ts';
import { composeSvg } from './compose.ts';

export type LayoutFn = (job: LayoutJob) => Promise<MapTemplate>;

export interface MapRenderer {
  /** The SVG for this model: a cached layout recoloured and refilled, or a new layout. */
  render(model: MapModel): Promise<string>;
  /** Layouts started so far (tests assert on it). */
  layouts(): number;
  close(): Promise<void>;
}

export interface MapRendererOptions {
  /** Replaces the worker (tests that run the layout in-process). */
  readonly layout?: LayoutFn;
  /** Layouts kept: a map that flips between two shapes does not lay out on every flip. */
  readonly cacheSize?: number;
}

interface Pending {
  resolve(t: MapTemplate): void;
  reject(err: Error): void;
}

/**
 * One worker, started on first use, referenced only while a layout is in flight, and stopped
 * after `idleMs` without work: layouts are rare (structure changes), and an idle worker would
 * keep its own heap — tens of megabytes after a big map — for nothing.
 */
export function createLayoutWorker(idleMs = 30_000): { layout: LayoutFn; running(): boolean; close(): Promise<void> } {
  let worker: Worker | null = null;
  let seq = 0;
  let idle: NodeJS.Timeout | null = null;
  const pending = new Map<number, Pending>();

  function stopWhenIdle(w: Worker): void {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = null;
      if (worker === w && pending.size === 0) {
        worker = null;
        void w.terminate();
      }
    }, idleMs);
    idle.unref();
  }

  function failAll(err: Error): void {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  function start(): Worker {
    const w = new Worker(new URL('./layout-worker.ts', import.meta.url));
    w.on('message', (msg: { seq: number; template?: MapTemplate; error?: string }) => {
      const p = pending.get(msg.seq);
      pending.delete(msg.seq);
      if (pending.size === 0) {
        w.unref();
        stopWhenIdle(w);
      }
      if (!p) return;
      if (msg.template) p.resolve(msg.template);
      else p.reject(new Error(`map layout failed: ${msg.error}`));
    });
    w.on('error', (err) => { worker = null; failAll(err); });
    w.on('exit', () => {
      if (worker !== w) return; // retired while idle: nothing was pending
      worker = null;
      failAll(new Error('map layout worker stopped'));
    });
    w.unref();
    return w;
  }

  return {
    running: () => worker !== null,
    layout(job) {
      worker ??= start();
      const w = worker;
      seq += 1;
      const id = seq;
      w.ref();
      return new Promise<MapTemplate>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        w.postMessage({ seq: id, job });
      });
    },
    async close() {
      if (idle) clearTimeout(idle);
      const w = worker;
      worker = null;
      if (w) await w.terminate();
      failAll(new Error('map layout worker stopped'));
    },
  };
}

export function createMapRenderer(options: MapRendererOptions = {}): MapRenderer {
  const own = options.layout ? null : createLayoutWorker();
  const layout = options.layout ?? own!.layout;
  const cacheSize = options.cacheSize ?? 4;
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

  return {
    async render(model) {
      const template = await templateFor(mapSource(model, 'layout'));
      return composeSvg(template, model);
    },
    layouts: () => count,
    async close() {
      cache.clear();
      await own?.close();
    },
  };
}
