// A window posted through the API (`POST /maintenance`): "group payments, 2 h, reason ...".
// Checked against the running configuration; every mistake is a 400 that says what is wrong.
import type { Config } from '../types.ts';
import type { MaintenanceWindow } from './window.ts';
import { parseInstant } from './config.ts';
import { didYouMean } from '../config/suggest.ts';

export class MaintenanceError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const FIELDS = ['name', 'entities', 'groups', 'duration', 'reason', 'start'];
/** A posted window lasts at most 30 days: longer planned work belongs in entities.yaml. */
export const MAX_POSTED_SECONDS = 30 * 24 * 3600;

const bad = (message: string) => new MaintenanceError(400, message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function names(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(`${key} must be a list of names`);
  return [...new Set(v as string[])];
}

function text(v: unknown, key: string, max: number): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > max) throw bad(`${key} must be a string of at most ${max} characters`);
  return v;
}

export function parsePosted(input: unknown, config: Config, now: number): Omit<MaintenanceWindow, 'id' | 'source' | 'by'> {
  if (!isObject(input)) throw bad('expected a JSON object: { "entities"?: [...], "groups"?: [...], "duration": SECONDS, "reason"?: "..." }');
  const unknown = Object.keys(input).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) throw bad(`unknown field ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${FIELDS.join(', ')})`);
  const entities = names(input.entities, 'entities');
  const groups = names(input.groups, 'groups');
  if (entities.length === 0 && groups.length === 0) throw bad('name the entities and/or groups under maintenance');
  const known = config.entities.map((e) => e.name);
  const missing = entities.find((n) => !known.includes(n));
  if (missing !== undefined) throw bad(`unknown entity '${missing}'${didYouMean(missing, known)}`);
  const allGroups = [...new Set(config.entities.flatMap((e) => (e.group === null ? [] : [e.group])))];
  const empty = groups.find((g) => !allGroups.some((x) => x === g || x.startsWith(`${g}/`)));
  if (empty !== undefined) throw bad(`no entity is in group '${empty}'${didYouMean(empty, allGroups)}`);
  const duration = typeof input.duration === 'string' && /^\d+$/.test(input.duration) ? Number(input.duration) : input.duration;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0 || duration > MAX_POSTED_SECONDS) {
    throw bad(`duration must be a number of seconds above 0 and at most ${MAX_POSTED_SECONDS} (30 days)`);
  }
  let start = now;
  if (input.start !== undefined && input.start !== null) {
    const t = typeof input.start === 'string' ? parseInstant(input.start) : null;
    if (t === null) throw bad('start must be an ISO 8601 time with Z or an offset, such as 2026-12-05T02:00:00Z');
    start = Math.max(t, now);
  }
  const reason = text(input.reason, 'reason', 500);
  return {
    name: text(input.name, 'name', 64) ?? 'ad hoc',
    entities, groups, reason,
    schedule: { kind: 'once', start, end: start + Math.round(duration * 1000) },
  };
}
