// Pure evaluation of an api entity's `expect` block against a response.
import { isDeepStrictEqual } from 'node:util';
import { truncate } from './format.ts';
import type { BodyText } from './http.ts';

export interface ApiExpect {
  /** Accepted HTTP statuses; null means any 2xx. */
  readonly status: readonly number[] | null;
  readonly body_contains: string | null;
  /** Dot paths that must equal the given values. */
  readonly json: Readonly<Record<string, unknown>> | null;
  readonly max_latency_ms: number | null;
}

/** The first unmet expectation as a message, or null when the response passes. */
export function unmetExpectation(expect: ApiExpect, status: number, body: BodyText): string | null {
  const listed = expect.status !== null && expect.status.length > 0 ? expect.status : null;
  const accepted = listed === null ? status >= 200 && status <= 299 : listed.includes(status);
  if (!accepted) return `expected status ${describeStatuses(listed)}, got ${status}`;

  const partial = body.truncated ? ' (first 1 MiB read)' : '';
  if (expect.body_contains !== null && !body.text.includes(expect.body_contains)) {
    return `body does not contain ${quote(expect.body_contains)}${partial}`;
  }
  if (expect.json !== null) return unmetJson(expect.json, body);
  return null;
}

function unmetJson(expected: Readonly<Record<string, unknown>>, body: BodyText): string | null {
  if (body.truncated) return 'response body is larger than 1 MiB, not parsed as JSON';
  let document: unknown;
  try {
    document = JSON.parse(body.text);
  } catch {
    return 'response body is not JSON';
  }
  for (const [path, want] of Object.entries(expected)) {
    const found = lookup(document, path);
    if (found === MISSING) return `json ${path}: expected ${quote(want)}, but it is missing`;
    if (!isDeepStrictEqual(found, want)) return `json ${path}: expected ${quote(want)}, got ${quote(found)}`;
  }
  return null;
}

const MISSING = Symbol('missing');

/**
 * Resolves a dot path like `db.connected` (array indexes are segments too: `items.0.id`).
 * A key that itself contains dots wins over splitting, so `{"db.connected": true}` matches as well.
 */
export function lookup(value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null) return MISSING;
  if (Object.hasOwn(value, path)) return (value as Record<string, unknown>)[path];
  const dot = path.indexOf('.');
  if (dot === -1) return MISSING;
  const head = path.slice(0, dot);
  if (!Object.hasOwn(value, head)) return MISSING;
  return lookup((value as Record<string, unknown>)[head], path.slice(dot + 1));
}

function describeStatuses(statuses: readonly number[] | null): string {
  if (statuses === null) return '2xx';
  if (statuses.length === 1) return String(statuses[0]);
  return `${statuses.slice(0, -1).join(', ')} or ${statuses.at(-1)}`;
}

/** JSON rendering keeps types visible: "ok" vs ok, 1 vs "1". */
function quote(value: unknown): string {
  return truncate(JSON.stringify(value) ?? String(value), 60);
}
