// The running maintenance windows: the file's and those posted through the API (kept in the
// store's meta area, so they survive a restart). At every opening and closing it tells the
// monitor which entities show `maintenance`, and its listeners (the alerts) which window
// started or ended, once per opening.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Config } from '../types.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { MaintenanceMark, Monitor } from '../monitor/monitor.ts';
import { coverageAt, nextChangeOfAll, openingAt, scopeOf } from './window.ts';
import type { MaintenanceWindow, Opening } from './window.ts';
import { parsePosted } from './posted.ts';

export { MaintenanceError } from './posted.ts';

const META_KEY = 'maintenance';
/** Timers longer than this overflow in Node; a change further away is re-armed on the way. */
const MAX_TIMER = 24 * 3_600_000;

/** A window opened or closed. */
export interface MaintenanceChange {
  readonly phase: 'start' | 'end';
  readonly window: MaintenanceWindow;
  readonly opening: Opening;
  /** Every entity it covers (named, in its groups, and their dependents), in file order. */
  readonly entities: readonly string[];
  /** Epoch ms. */
  readonly at: number;
  /** Who ended it before its time (DELETE /maintenance/:id); null otherwise. */
  readonly ended_by: string | null;
}

export interface MaintenanceService {
  /** Reads the posted windows and applies what is open now. */
  start(): Promise<void>;
  /** Every window: the file's first, then the posted ones that have not ended. */
  windows(): readonly MaintenanceWindow[];
  /** The opening covering `now`, or null. */
  openingOf(window: MaintenanceWindow): Opening | null;
  /** The entities a window covers now (the configuration may have changed since it was posted). */
  scope(window: MaintenanceWindow): string[];
  /** Validates a posted window (MaintenanceError 400 otherwise), keeps it and applies it. */
  add(input: unknown, by: string): Promise<MaintenanceWindow>;
  /** Ends a posted window now: 'ended', 'missing', or 'config' (the file's cannot be). */
  end(id: string, by: string): Promise<'ended' | 'missing' | 'config'>;
  /** Told of every start and end. */
  listen(fn: (change: MaintenanceChange) => void): void;
  onConfig(config: Config): void;
  close(): void;
}

export interface MaintenanceOptions {
  readonly monitor: Pick<Monitor, 'config' | 'setMaintenance'>;
  readonly store: Pick<Store, 'getMeta' | 'setMeta'>;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

interface PostedRecord {
  id: string; name: string; entities: string[]; groups: string[]; reason: string | null; start: number; end: number; by: string;
}

function fromRecord(r: PostedRecord): MaintenanceWindow {
  return {
    id: r.id, name: r.name, entities: r.entities, groups: r.groups, reason: r.reason,
    schedule: { kind: 'once', start: r.start, end: r.end }, source: 'api', by: r.by,
  };
}

function toRecord(w: MaintenanceWindow): PostedRecord {
  const s = w.schedule as Extract<MaintenanceWindow['schedule'], { kind: 'once' }>;
  return { id: w.id, name: w.name, entities: [...w.entities], groups: [...w.groups], reason: w.reason, start: s.start, end: s.end, by: w.by ?? '' };
}

export function createMaintenance(options: MaintenanceOptions): MaintenanceService {
  const { monitor, store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  let posted: MaintenanceWindow[] = [];
  /** Openings in effect, by `id@start`, with the entities they covered. */
  let open = new Map<string, { window: MaintenanceWindow; opening: Opening; entities: string[] }>();
  const endedBy = new Map<string, string>();
  const listeners: ((change: MaintenanceChange) => void)[] = [];
  let timer: unknown = null;
  let started = false;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  const all = (): MaintenanceWindow[] => [...monitor.config().maintenance, ...posted];
  const scope = (w: MaintenanceWindow): string[] => {
    const names = scopeOf(w, monitor.config());
    return monitor.config().entities.map((e) => e.name).filter((n) => names.has(n));
  };

  function tell(change: MaintenanceChange): void {
    logger.info({ window: change.window.name, phase: change.phase, entities: change.entities.length }, `maintenance ${change.phase === 'start' ? 'started' : 'ended'}`);
    for (const fn of listeners) fn(change);
  }

  /** Recomputes what is open at `now`: tells starts and ends, then the monitor, then re-arms. */
  function refresh(): void {
    if (!started || closed) return;
    const now = clock.now();
    posted = posted.filter((w) => w.schedule.kind !== 'once' || w.schedule.end > now);
    const windows = all();
    const next = new Map<string, { window: MaintenanceWindow; opening: Opening; entities: string[] }>();
    for (const window of windows) {
      const opening = openingAt(window, now);
      if (opening !== null) next.set(`${window.id}@${opening.start}`, { window, opening, entities: scope(window) });
    }
    for (const [key, was] of open) {
      if (next.has(key)) continue;
      tell({ phase: 'end', ...was, at: now, ended_by: endedBy.get(was.window.id) ?? null });
      endedBy.delete(was.window.id);
    }
    for (const [key, is] of next) if (!open.has(key)) tell({ phase: 'start', ...is, at: now, ended_by: null });
    open = next;
    const marks = new Map<string, MaintenanceMark>();
    for (const [name, c] of coverageAt(windows, monitor.config(), now)) marks.set(name, { id: c.window.id, name: c.window.name, until: c.opening.end });
    monitor.setMaintenance(marks, now);
    arm(nextChangeOfAll(windows, now), now);
  }

  function arm(at: number | null, now: number): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (at === null || closed) return;
    timer = clock.setTimeout(() => { timer = null; refresh(); }, Math.min(MAX_TIMER, Math.max(0, at - now)));
  }

  async function save(): Promise<void> {
    await store.setMeta(META_KEY, JSON.stringify(posted.map(toRecord)));
  }

  /** Writes one after another. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  }

  return {
    async start() {
      const text = await store.getMeta(META_KEY);
      try {
        posted = text === null ? [] : (JSON.parse(text) as PostedRecord[]).map(fromRecord);
      } catch (err) {
        logger.error({ err: String(err) }, 'maintenance: stored windows unreadable; starting without them');
        posted = [];
      }
      started = true;
      refresh();
    },
    windows: () => all().filter((w) => w.schedule.kind !== 'once' || w.source === 'config' || w.schedule.end > clock.now()),
    openingOf: (w) => openingAt(w, clock.now()),
    scope,
    add: (input, by) => serial(async () => {
      const now = clock.now();
      const fields = parsePosted(input, monitor.config(), now);
      const window: MaintenanceWindow = { id: randomUUID(), ...fields, source: 'api', by };
      posted = [...posted.filter((w) => w.schedule.kind !== 'once' || w.schedule.end > now), window];
      await save();
      refresh();
      return window;
    }),
    end: (id, by) => serial(async () => {
      if (monitor.config().maintenance.some((w) => w.id === id)) return 'config';
      if (!posted.some((w) => w.id === id)) return 'missing';
      posted = posted.filter((w) => w.id !== id);
      await save();
      endedBy.set(id, by);
      refresh();
      endedBy.delete(id);
      return 'ended';
    }),
    listen(fn) {
      listeners.push(fn);
    },
    onConfig() {
      refresh();
    },
    close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
