// The probe protocol's documents: what a site is assigned, and the results it sends, checked item
// by item. Pure: the configuration and the time are parameters.
import { createHash } from 'node:crypto';
import type { Config, Entity, ExtraValue } from '../types.ts';
import type { SiteResult } from './verdict.ts';

/** At most this many results per request (413 beyond). */
export const MAX_RESULTS = 1000;
/** Results may have waited at the probe this long while the server was unreachable. */
export const MAX_RESULT_AGE_MS = 24 * 3_600_000;
/** Clocks differ a little; a result from further in the future is refused. */
export const MAX_FUTURE_MS = 60_000;
const MAX_MESSAGE = 500;
const MAX_EXTRA_KEYS = 32;
const MAX_EXTRA_TEXT = 200;

/** One entity of the assignments document. */
export interface Assignment {
  readonly name: string;
  readonly type: string;
  readonly interval: number;
  readonly timeout: number;
  /** The entity's fields as written, `${VAR}` unexpanded. */
  readonly check: Readonly<Record<string, unknown>>;
}

/** Entities whose locations name the site. */
export function assignedTo(config: Config, site: string): Entity[] {
  return config.entities.filter((e) => e.placement?.check && e.placement.locations.includes(site));
}

/** The assignments document and its ETag (a hash of the document: equal documents, equal tags). */
export function assignments(config: Config, site: string): { body: string; etag: string } {
  const entities: Assignment[] = assignedTo(config, site).map((e) => ({
    name: e.name, type: e.type, interval: e.interval, timeout: e.timeout, check: e.placement!.check!,
  }));
  const body = JSON.stringify({ site, entities });
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

export interface Rejection {
  readonly index: number;
  readonly entity: string | null;
  readonly error: string;
}

export interface Accepted {
  readonly entity: string;
  readonly result: SiteResult;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One line of plain text, at most `max` characters. */
export function cleanText(text: string, max: number): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function parseExtra(raw: unknown): Record<string, ExtraValue> | string {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) return 'extra must be an object of figures';
  const entries = Object.entries(raw);
  if (entries.length > MAX_EXTRA_KEYS) return `extra may have at most ${MAX_EXTRA_KEYS} figures`;
  const out: Record<string, ExtraValue> = {};
  for (const [key, value] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) return 'extra keys must be 1-64 letters, digits, _ . -';
    if (typeof value === 'string') out[key] = cleanText(value, MAX_EXTRA_TEXT);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') out[key] = value;
    else return `extra.${key} must be a string, a finite number or a boolean`;
  }
  return out;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** One item: the result, or why it is refused. */
function parseItem(item: unknown, site: string, entityOf: (name: string) => Entity | undefined, now: number): Accepted | string {
  if (!isObject(item)) return 'each result must be an object';
  const name = item.entity;
  if (typeof name !== 'string') return 'entity must be a string';
  const entity = entityOf(name);
  // Unknown and not assigned read the same: a probe learns nothing of entities not its own.
  if (!entity?.placement?.check || !entity.placement.locations.includes(site)) return `entity not assigned to site ${site}`;
  if (typeof item.at !== 'string' || !ISO.test(item.at) || Number.isNaN(Date.parse(item.at))) return 'at must be an ISO-8601 time such as 2026-12-02T03:04:05.000Z';
  const at = Date.parse(item.at);
  if (at > now + MAX_FUTURE_MS) return `at is more than ${MAX_FUTURE_MS / 1000} s in the future (check the probe's clock)`;
  if (at < now - MAX_RESULT_AGE_MS) return 'at is older than 24 h';
  if (typeof item.ok !== 'boolean') return 'ok must be true or false';
  const latency = item.latency_ms ?? null;
  if (latency !== null && (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0)) return 'latency_ms must be a number >= 0 or null';
  const message = item.message ?? '';
  if (typeof message !== 'string') return 'message must be a string';
  const extra = parseExtra(item.extra);
  if (typeof extra === 'string') return extra;
  return { entity: name, result: { at, ok: item.ok, latency_ms: latency === null ? null : Math.round(latency), message: cleanText(message, MAX_MESSAGE), extra } };
}

/** The items of a results document; throws nothing, the caller has checked the document's shape. */
export function parseResults(items: readonly unknown[], site: string, entityOf: (name: string) => Entity | undefined, now: number): { accepted: Accepted[]; rejected: Rejection[] } {
  const accepted: Accepted[] = [];
  const rejected: Rejection[] = [];
  items.forEach((item, index) => {
    const parsed = parseItem(item, site, entityOf, now);
    if (typeof parsed !== 'string') accepted.push(parsed);
    else rejected.push({ index, entity: isObject(item) && typeof item.entity === 'string' ? cleanText(item.entity, 80) : null, error: parsed });
  });
  return { accepted, rejected };
}
