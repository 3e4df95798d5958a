// The probe's two requests to its server, each answered with what the probe should do next.
// Outbound only; HTTPS by the URL. The token goes in one header and nowhere else: not in
// errors, not in logs.
import { request } from 'undici';
import { retryAfterMs } from '../alerts/http-delivery.ts';
import { describeError } from '../checks/errors.ts';
import { readAssignments } from './assignment.ts';
import type { Assignments } from './assignment.ts';
import type { ProbeResult } from './queue.ts';
import type { Rejection } from '../probes/protocol.ts';

export const ASSIGNMENTS_PATH = 'api/probe/v1/assignments';
export const RESULTS_PATH = 'api/probe/v1/results';

/** Answers past this size are not the protocol's; the rest is not read. */
const MAX_ANSWER = 8 * 1024 * 1024;

/** What a request came to. `unreachable` covers refused connections, timeouts and 5xx: try again later. */
export type Failure =
  | { readonly kind: 'unauthorized' }
  | { readonly kind: 'limited'; readonly retryAfterMs: number | null }
  | { readonly kind: 'unreachable'; readonly reason: string }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string };

export type AssignmentsAnswer =
  | { readonly kind: 'changed'; readonly assignments: Assignments; readonly etag: string | null }
  | { readonly kind: 'unchanged' }
  | Failure;

export type ResultsAnswer =
  | { readonly kind: 'sent'; readonly accepted: number; readonly rejected: readonly Rejection[] }
  | Failure;

export interface ConnectionOptions {
  /** The server's base URL (a path prefix is kept). */
  readonly server: string;
  readonly token: string;
  /** Per request, connecting included. */
  readonly timeoutMs: number;
}

export interface Connection {
  assignments(etag: string | null, signal?: AbortSignal): Promise<AssignmentsAnswer>;
  results(results: readonly ProbeResult[], signal?: AbortSignal): Promise<ResultsAnswer>;
}

/** Throws on a URL the probe cannot use, before anything starts. */
export function serverBase(server: string): URL {
  const url = new URL(server);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--server must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new Error('--server must not carry a user or password; the token authenticates');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

export function createConnection(options: ConnectionOptions): Connection {
  const base = serverBase(options.server);
  const authorization = `Bearer ${options.token}`;

  type Answer = { status: number; headers: Record<string, string | string[] | undefined>; text: string } | { error: string };

  async function send(path: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }, signal?: AbortSignal): Promise<Answer> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await request(new URL(path, base), {
        method: init.method,
        headers: { 'user-agent': 'pulsemap-probe', accept: 'application/json', ...init.headers, authorization },
        body: init.body,
        signal: combined,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const text = await readCapped(response.body);
      return { status: response.statusCode, headers: response.headers, text };
    } catch (err) {
      return { error: describeError(err, combined, options.timeoutMs / 1000, [options.token]) };
    }
  }

  function failure(status: number, headers: Record<string, string | string[] | undefined>, text: string): Failure {
    if (status === 401) return { kind: 'unauthorized' };
    if (status === 429) return { kind: 'limited', retryAfterMs: retryAfterMs(headers['retry-after'], Date.now()) };
    if (status >= 500 || status === 408) return { kind: 'unreachable', reason: `HTTP ${status}` };
    return { kind: 'refused', status, reason: `HTTP ${status}${errorOf(text)}` };
  }

  return {
    async assignments(etag, signal) {
      const answer = await send(ASSIGNMENTS_PATH, { method: 'GET', headers: etag === null ? {} : { 'if-none-match': etag } }, signal);
      if ('error' in answer) return { kind: 'unreachable', reason: answer.error };
      if (answer.status === 304) return { kind: 'unchanged' };
      if (answer.status !== 200) return failure(answer.status, answer.headers, answer.text);
      try {
        const assignments = readAssignments(JSON.parse(answer.text));
        const tag = answer.headers.etag;
        return { kind: 'changed', assignments, etag: typeof tag === 'string' ? tag : null };
      } catch (err) {
        return { kind: 'refused', status: 200, reason: err instanceof SyntaxError ? 'the answer is not JSON' : (err as Error).message };
      }
    },
    async results(results, signal) {
      const answer = await send(RESULTS_PATH, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ results }),
      }, signal);
      if ('error' in answer) return { kind: 'unreachable', reason: answer.error };
      if (answer.status !== 200) return failure(answer.status, answer.headers, answer.text);
      try {
        const body = JSON.parse(answer.text) as { accepted?: unknown; rejected?: unknown };
        const rejected = Array.isArray(body.rejected) ? body.rejected as Rejection[] : [];
        return { kind: 'sent', accepted: typeof body.accepted === 'number' ? body.accepted : results.length - rejected.length, rejected };
      } catch {
        // Delivered (200) even if the summary is unreadable: sending again would duplicate.
        return { kind: 'sent', accepted: results.length, rejected: [] };
      }
    },
  };
}

/** The `error` of a JSON error answer, as a suffix. */
function errorOf(text: string): string {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    return typeof error === 'string' ? `: ${error.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER) {
      body.destroy();
      throw new Error('answer too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
