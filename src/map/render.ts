// Map model -> SVG. Layouts are cached by the layout source (structure, labels and slots only);
// everything else (status colours, figures) is composed into the cached template. Small views
// are laid out in-process; larger ones in a child process that lives while it is kept busy.
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MapModel, LayoutJob } from './source.ts';
import { mapSource } from './source.ts';
import type { MapTemplate } from './template.ts';
import { composeSvg } from './compose.ts';
import { layoutMap } from './layout.ts';
import { warmUpJob } from './warm-up.ts';

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
  /** Layout processes started so far. */
  processes(): number;
  /**
   * Starts the layout process ahead of a layout that will need it (a large estate), so that layout
   * does not wait for a process to start; it retires when idle like after a layout. Right after
   * it starts, it lays out `warmUp` (default: a made-up view of about 130 cells, warm-up.ts) and
   * forgets it, so the first real view does not pay for compiling the layout's code.
   */
  prestart(warmUp?: LayoutJob): void;
  /** Views with more cells than this are laid out in the layout process. */
  readonly inProcessCells: number;
  close(): Promise<void>;
}

/**
 * Views of at most this many cells are laid out on the serving thread: nomnoml takes a few
 * milliseconds for them, less than starting or even messaging a process.
 */
export const IN_PROCESS_CELLS = 40;

export interface MapRendererOptions {
  /** Replaces the layout (tests that run the layout in-process). */
  readonly layout?: LayoutFn;
  /** Layouts kept (of every view): a map that flips between two shapes does not lay out on every flip. */
  readonly cacheSize?: number;
  /** How long the layout process waits for another map before it exits. Default 5 s. */
  readonly idleMs?: number;
  /** Views with at most this many cells are laid out in-process (default IN_PROCESS_CELLS). */
  readonly inProcessCells?: number;
}

export interface LayoutProcess {
  layout: LayoutFn;
  /**
   * Starts the process now if none runs (it retires after `idleMs` without a layout); `warmUp`, a
   * small map it lays out and forgets, compiles nomnoml's code before the first real layout.
   */
  prestart(warmUp?: LayoutJob): void;
  /** Layout processes started so far. */
  started(): number;
  /** Whether a layout process is running now. */
  running(): boolean;
  close(): Promise<void>;
}

/**
 * Lays out maps in a child process (see layout-process.ts) that stays for `idleMs` after its last
 * layout, so navigating between views pays for one process start, not one per view; once idle it
 * exits and the memory of its layouts goes back to the system. `onExit` is told when it ends.
 */
export function createLayoutProcess(options: { idleMs?: number; onExit?: () => void } = {}): LayoutProcess {
  const idleMs = options.idleMs ?? 5000;
  const entry = fileURLToPath(new URL('./layout-process.ts', import.meta.url));
  const waiting = new Map<number, { resolve(t: MapTemplate): void; reject(e: Error): void }>();
  /** Processes not yet ended (a retired one may still be on its way out), with their end. */
  const alive = new Map<ChildProcess, Promise<void>>();
  let child: ChildProcess | null = null;
  let idle: NodeJS.Timeout | null = null;
  let nextId = 0;
  let started = 0;

  function spawn(): ChildProcess {
    // No inherited flags (a test runner's, an inspector's): the child only lays out. The layout
    // recurses along chains of dependencies: with V8's default stack a chain of about two
    // thousand cells overflows it; 4 MB stays well inside the 8 MB a process's main thread gets.
    const proc = fork(entry, [], { execArgv: ['--stack-size=4000'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    started += 1;
    proc.on('message', (msg: { id: number; template?: MapTemplate; error?: string }) => {
      const job = waiting.get(msg.id);
      if (!job) return;
      waiting.delete(msg.id);
      if (msg.template) job.resolve(msg.template);
      else job.reject(new Error(`map layout failed: ${msg.error}`));
      if (waiting.size === 0 && child === proc) {
        // Idle: it keeps nothing alive (a command that is done may exit) and retires soon.
        proc.unref();
        proc.channel?.unref();
        retireLater();
      }
    });
    // Everything it had not answered is lost with it.
    const lost = (reason: string): void => {
      if (child !== proc) return;
      child = null;
      for (const [id, job] of waiting) { waiting.delete(id); job.reject(new Error(reason)); }
    };
    const gone = new Promise<void>((resolve) => proc.once('exit', (code, signal) => {
      lost(`map layout process ended (${signal ?? `exit ${code}`})`);
      alive.delete(proc);
      options.onExit?.();
      resolve();
    }));
    alive.set(proc, gone);
    proc.on('error', (err) => {
      lost(`map layout process failed: ${err.message}`);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
    });
    return proc;
  }

  function retireLater(): void {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = null;
      if (waiting.size > 0 || !child) return;
      const proc = child;
      child = null;
      proc.disconnect();
    }, idleMs);
    idle.unref();
  }

  return {
    layout(job) {
      if (idle) { clearTimeout(idle); idle = null; }
      child ??= spawn();
      child.ref();
      child.channel?.ref();
      const id = ++nextId;
      const reply = new Promise<MapTemplate>((resolve, reject) => waiting.set(id, { resolve, reject }));
      child.send({ id, job });
      return reply;
    },
    prestart(warmUp) {
      if (child) return;
      child = spawn();
      if (warmUp) child.send({ id: 0, job: warmUp, warmUp: true });
      // Nothing waits on it: it keeps nothing alive, and retires unless a layout comes.
      child.unref();
      child.channel?.unref();
      retireLater();
    },
    started: () => started,
    running: () => child !== null,
    async close() {
      if (idle) { clearTimeout(idle); idle = null; }
      // What is in flight fails now, whatever the process does before the signal reaches it
      // (a reply already on its way is ignored).
      child = null;
      for (const [id, job] of waiting) { waiting.delete(id); job.reject(new Error('map layout process ended (closed)')); }
      // Retired ones too: an idle process is unreferenced, and close waits for every end.
      for (const proc of alive.keys()) {
        proc.ref();
        proc.kill();
      }
      await Promise.all(alive.values());
    },
  };
}

export function createMapRenderer(options: MapRendererOptions = {}): MapRenderer {
  const own = options.layout ? null : createLayoutProcess({ idleMs: options.idleMs });
  const inProcessCells = options.inProcessCells ?? IN_PROCESS_CELLS;
  const layout: LayoutFn = options.layout
    ?? ((job) => (Object.keys(job.refs).length <= inProcessCells ? Promise.resolve().then(() => layoutMap(job)) : own!.layout(job)));
  const cacheSize = options.cacheSize ?? 24;
  // Insertion order is recency: the oldest layout is dropped first.
  const cache = new Map<string, Promise<MapTemplate>>();
  let count = 0;
  let warmUp: LayoutJob | null = null;

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
    processes: () => own?.started() ?? 0,
    prestart(job) {
      if (!own) return;
      own.prestart(job ?? (warmUp ??= warmUpJob()));
    },
    inProcessCells,
    async close() {
      cache.clear();
      await own?.close();
    },
  };
}

/** A configuration file at least this large describes an estate whose views need the layout process. */
export const LARGE_CONFIG_BYTES = 16 * 1024;

/**
 * Starts the layout process while a large configuration is still being read (about a second at
 * 20,000 entities): the process takes a few hundred milliseconds to start, and the first large
 * view asked for right after the first map would otherwise wait for it. It warms up on a small
 * made-up view (warm-up.ts), done long before the first real one comes, and exits when idle
 * like after any layout. Judged by the file's size, before it is parsed; a missing file does nothing.
 */
export function prestartForConfig(renderer: Pick<MapRenderer, 'prestart'>, file: string): void {
  let size: number;
  try { size = statSync(file).size; } catch { return; }
  if (size >= LARGE_CONFIG_BYTES) renderer.prestart(warmUpJob(EARLY_WARM_UP_CELLS));
}

/** Cells of the early warm-up: a few tens of milliseconds, even in a process just started. */
const EARLY_WARM_UP_CELLS = 24;

