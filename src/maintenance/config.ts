// `maintenance:` in entities.yaml: the checks the schema cannot make (one schedule per window,
// a cron expression and time zone that work, names that exist) and the built windows.
import type { ConfigIssue } from '../config/errors.ts';
import { didYouMean } from '../config/suggest.ts';
import { cronProblem, isTimeZone, weekdayCron } from './window.ts';
import type { MaintenanceWindow, Schedule } from './window.ts';

export interface RawMaintenance {
  name: string;
  entities?: string[];
  groups?: string[];
  reason?: string;
  start?: string;
  end?: string;
  cron?: string;
  weekdays?: string[];
  time?: string;
  duration?: number;
  timezone?: string;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** An ISO 8601 time that says its offset (Z or ±HH:MM): a bare local time would depend on the server's zone. */
export function parseInstant(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : t;
}

/** Runs on raw data that may have failed the schema; `skip` as in semantic.ts. */
export function checkMaintenance(data: unknown, skip: (path: (string | number)[]) => boolean): ConfigIssue[] {
  if (!isObject(data) || !Array.isArray(data.maintenance)) return [];
  const issues: ConfigIssue[] = [];
  const add = (path: (string | number)[], message: string, at: ConfigIssue['at'] = 'value') => {
    if (!skip(path)) issues.push({ path, at, message });
  };
  const entities = isObject(data.entities) ? data.entities : {};
  const names = Object.keys(entities);
  const groups = [...new Set(Object.values(entities).flatMap((e) => (isObject(e) && typeof e.group === 'string' ? [e.group] : [])))];
  const hasGroup = (g: string) => groups.some((x) => x === g || x.startsWith(`${g}/`));
  const seen = new Map<string, number>();
  data.maintenance.forEach((w, i) => {
    if (!isObject(w)) return;
    const where = (...k: (string | number)[]) => ['maintenance', i, ...k];
    const label = typeof w.name === 'string' ? `maintenance '${w.name}'` : `/maintenance/${i}`;
    if (typeof w.name === 'string') {
      if (seen.has(w.name)) add(where('name'), `${label}: the name is already used by /maintenance/${seen.get(w.name)}`);
      else seen.set(w.name, i);
    }
    strings(w.entities).forEach((name, k) => {
      if (!Object.hasOwn(entities, name)) add(where('entities', k), `${label}: unknown entity '${name}'${didYouMean(name, names)}`);
    });
    strings(w.groups).forEach((group, k) => {
      if (!hasGroup(group)) add(where('groups', k), `${label}: no entity is in group '${group}'${didYouMean(group, groups)}`);
    });
    if (strings(w.entities).length === 0 && strings(w.groups).length === 0) add(where(), `${label}: name the entities and/or groups it covers`);
    const once = w.start !== undefined || w.end !== undefined;
    const kinds = [once, w.cron !== undefined, w.weekdays !== undefined || w.time !== undefined].filter(Boolean).length;
    if (kinds !== 1) {
      add(where(), `${label}: give exactly one schedule: start and end, or cron, or weekdays and time`);
      return;
    }
    if (once) {
      for (const key of ['start', 'end'] as const) {
        if (w[key] === undefined) add(where(), `${label}: a one-off window needs both start and end`);
        else if (typeof w[key] === 'string' && parseInstant(w[key]) === null) {
          add(where(key), `${label}: ${key} must be an ISO 8601 time with Z or an offset (2026-12-05T02:00:00Z, 2026-12-05T03:00:00+01:00)`);
        }
      }
      const start = typeof w.start === 'string' ? parseInstant(w.start) : null;
      const end = typeof w.end === 'string' ? parseInstant(w.end) : null;
      if (start !== null && end !== null && end <= start) add(where('end'), `${label}: end must be after start`);
      for (const key of ['duration', 'timezone'] as const) {
        if (w[key] !== undefined) add(where(key), `${label}: ${key} belongs to recurring windows; a one-off window has start and end`, 'key');
      }
      return;
    }
    if (w.duration === undefined) add(where(), `${label}: a recurring window needs duration (seconds)`);
    const tz = typeof w.timezone === 'string' ? w.timezone : 'UTC';
    if (!isTimeZone(tz)) {
      add(where('timezone'), `${label}: unknown time zone '${tz}' (use an IANA name such as Europe/Berlin)`);
      return;
    }
    if (typeof w.cron === 'string') {
      const problem = cronProblem(w.cron, tz);
      if (problem !== null) add(where('cron'), `${label}: ${problem}`);
    } else if (w.weekdays === undefined || w.time === undefined) {
      add(where(), `${label}: weekdays and time go together`);
    }
  });
  return issues;
}

function schedule(raw: RawMaintenance): Schedule {
  if (raw.start !== undefined && raw.end !== undefined) return { kind: 'once', start: parseInstant(raw.start)!, end: parseInstant(raw.end)! };
  const cron = raw.cron ?? weekdayCron(raw.weekdays!, raw.time!);
  return { kind: 'cron', cron, duration: raw.duration! * 1000, timezone: raw.timezone ?? 'UTC' };
}

export function buildMaintenance(raw: readonly RawMaintenance[] = []): MaintenanceWindow[] {
  return raw.map((w) => ({
    id: w.name,
    name: w.name,
    entities: [...(w.entities ?? [])],
    groups: [...(w.groups ?? [])],
    reason: w.reason ?? null,
    schedule: schedule(w),
    source: 'config',
    by: null,
  }));
}
