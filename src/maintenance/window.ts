// Maintenance windows: when each one is open, which entities it covers, and when the next one
// opens or closes. Pure: the time is always a parameter. Recurring windows are computed in their
// own time zone with cron-parser, so a window at 03:00 Europe/Berlin stays at 03:00 local time
// across daylight-saving changes (01:00 UTC in summer, 02:00 UTC in winter).
import { CronExpressionParser } from 'cron-parser';
import type { EntityBase, MaintenanceWindow, Schedule } from '../domain.ts';
import { dependentsOf, walkGraph } from '../config/graph.ts';

export type { MaintenanceWindow, Schedule } from '../domain.ts';

/** What scoping needs to know of the configuration. */
export interface Scope {
  readonly entities: readonly Pick<EntityBase, 'name' | 'group' | 'dependencies'>[];
}

/** One opening of a window. */
export interface Opening {
  readonly start: number;
  readonly end: number;
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** `weekdays: [sat, sun]` with `time: "03:30"` as a cron expression (`30 3 * * 6,0`). */
export function weekdayCron(weekdays: readonly string[], time: string): string {
  const [h, m] = time.split(':').map(Number);
  const days = weekdays.map((d) => WEEKDAYS.indexOf(d.toLowerCase().slice(0, 3) as (typeof WEEKDAYS)[number]));
  return `${m} ${h} * * ${days.join(',')}`;
}

/** Why a cron expression or time zone cannot be used, or null. */
export function cronProblem(cron: string, timezone: string): string | null {
  if (cron.trim().split(/\s+/).length !== 5) return `cron '${cron}' must have five fields: minute hour day-of-month month day-of-week`;
  try {
    CronExpressionParser.parse(cron, { tz: timezone, currentDate: new Date(0) }).next();
    return null;
  } catch (err) {
    return `cron '${cron}': ${(err as Error).message}`;
  }
}

/** Whether a time zone name is known to this Node (its ICU data). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function cronAt(s: Extract<Schedule, { kind: 'cron' }>, at: number) {
  return CronExpressionParser.parse(s.cron, { tz: s.timezone, currentDate: new Date(at) });
}

/** The opening that covers `now`, if any (the latest start at or before `now`). */
export function openingAt(window: MaintenanceWindow, now: number): Opening | null {
  const s = window.schedule;
  if (s.kind === 'once') return s.start <= now && now < s.end ? { start: s.start, end: s.end } : null;
  // prev() is strictly before its current date: ask from just after `now` so a start at `now` counts.
  const start = cronAt(s, now + 1).prev().getTime();
  return start <= now && now < start + s.duration ? { start, end: start + s.duration } : null;
}

/** The next time after `now` when the window opens or closes; null when it never will again. */
export function nextChange(window: MaintenanceWindow, now: number): number | null {
  const s = window.schedule;
  if (s.kind === 'once') {
    if (now < s.start) return s.start;
    return now < s.end ? s.end : null;
  }
  const open = openingAt(window, now);
  const next = cronAt(s, now).next().getTime();
  return open === null ? next : Math.min(open.end, next);
}

/** Entities in the groups (a group covers its subgroups), the named entities, and everything that depends on them. */
export function scopeOf(
  window: Pick<MaintenanceWindow, 'entities' | 'groups'>,
  config: Scope,
  dependents: ReadonlyMap<string, readonly string[]> = dependentsOf(config),
): Set<string> {
  const named = new Set(window.entities);
  const inGroup = (g: string | null) => g !== null && window.groups.some((w) => g === w || g.startsWith(`${w}/`));
  const direct = config.entities.filter((e) => named.has(e.name) || inGroup(e.group)).map((e) => e.name);
  const out = new Set(direct);
  // An entity already in scope is walked from on its own (or was walked through): skip it, so
  // each entity's dependents are listed once however many windows' members share them.
  for (const name of direct) {
    walkGraph(name, (n) => dependents.get(n), (dep) => {
      if (out.has(dep)) return 'skip';
      out.add(dep);
      return 'continue';
    });
  }
  return out;
}

/** An entity under maintenance now: the window covering it that ends last. */
export interface Coverage {
  readonly window: MaintenanceWindow;
  readonly opening: Opening;
}

/** Which entities are under maintenance at `now`, and by which window. */
export function coverageAt(windows: readonly MaintenanceWindow[], config: Scope, now: number): Map<string, Coverage> {
  const out = new Map<string, Coverage>();
  let dependents: Map<string, string[]> | null = null;
  for (const window of windows) {
    const opening = openingAt(window, now);
    if (opening === null) continue;
    dependents ??= dependentsOf(config);
    for (const name of scopeOf(window, config, dependents)) {
      const had = out.get(name);
      if (!had || had.opening.end < opening.end) out.set(name, { window, opening });
    }
  }
  return out;
}

/** The earliest time after `now` when any window opens or closes. */
export function nextChangeOfAll(windows: readonly MaintenanceWindow[], now: number): number | null {
  let next: number | null = null;
  for (const w of windows) {
    const t = nextChange(w, now);
    if (t !== null && (next === null || t < next)) next = t;
  }
  return next;
}
