// One HTTP request of a channel, with the outcome every HTTP channel shares: 2xx delivered; a
// 429/503 retried when the server says (Retry-After, or a JSON field the service documents); a
// 400 dropped (the message itself was refused); anything else retried with backoff. Errors
// name the channel and the status, never the URL (hook URLs carry their credential).
import { request } from 'undici';
import { DeliveryError } from './alert.ts';

export interface HttpDelivery {
  /** Channel type, the prefix of every error. */
  readonly label: string;
  readonly url: string;
  readonly method?: 'POST' | 'PUT';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  readonly contentType?: string;
  readonly signal: AbortSignal;
  /** Per-request timeout, connecting included. */
  readonly timeoutMs: number;
  /** Seconds (or ms) to wait read from an answer's JSON body, for services that put it there. */
  readonly retryAfterFromBody?: (body: unknown) => number | null;
  /** The answers a retry cannot change. Default: 400. */
  readonly permanent?: (status: number) => boolean;
}

/** Seconds or an HTTP date, as in `Retry-After`; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.ceil(Number(text.trim()) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Reads at most this much of an answer: enough for an error document. */
const MAX_ANSWER = 64 * 1024;

/** Sends; resolves with the answer's text on 2xx, throws DeliveryError otherwise. */
export async function deliverHttp(d: HttpDelivery): Promise<string> {
  let response;
  try {
    response = await request(d.url, {
      method: d.method ?? 'POST',
      headers: { 'user-agent': 'pulsemap', ...d.headers, 'content-type': d.contentType ?? 'application/json' },
      body: d.body,
      // Covers connecting too, which undici's own timeouts do not.
      signal: AbortSignal.any([d.signal, AbortSignal.timeout(d.timeoutMs)]),
      headersTimeout: d.timeoutMs,
      bodyTimeout: d.timeoutMs,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DeliveryError(`${d.label}: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`);
  }
  const text = await readLimited(response.body);
  if (response.statusCode >= 200 && response.statusCode < 300) return text;
  let wait: number | null = null;
  if (response.statusCode === 429 || response.statusCode === 503) {
    wait = retryAfterMs(response.headers['retry-after'], Date.now()) ?? fromBody(text, d.retryAfterFromBody);
  }
  const permanent = (d.permanent ?? ((s: number) => s === 400))(response.statusCode);
  throw new DeliveryError(`${d.label}: HTTP ${response.statusCode}${detail(text)}`, { retryAfterMs: wait, permanent });
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ANSWER) {
        body.destroy();
        break;
      }
    }
  } catch {
    // A broken answer body says nothing more than its status.
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ANSWER);
}

function fromBody(text: string, read: ((body: unknown) => number | null) | undefined): number | null {
  if (!read) return null;
  try {
    return read(JSON.parse(text));
  } catch {
    return null;
  }
}

/** A short, single-line excerpt of an error answer (services explain themselves there). */
function detail(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return line === '' ? '' : `: ${line}`;
}
