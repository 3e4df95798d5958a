// HTTP plumbing for the api check: a throwaway dispatcher per check that records peer
// certificates, capped body reading, and redirect rules.
import type { PeerCertificate } from 'node:tls';
import { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';

/** Bodies are read up to this many bytes; the rest is never received. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface CheckAgent {
  readonly dispatcher: Dispatcher;
  /** The certificate the server at `url`'s host and port presented during this check. */
  certificateFor(url: URL): PeerCertificate | undefined;
  /** Destroys every socket the check opened. */
  close(): Promise<void>;
}

/**
 * One agent per check: no keep-alive (pipelining 0) and no TLS session cache shared with other
 * checks, so every check pays — and can fail — the TCP connect and the full TLS handshake.
 * undici's own timers are only a backstop here; the check's AbortSignal enforces the deadline.
 */
export function createCheckAgent(timeoutMs: number): CheckAgent {
  const certificates = new Map<string, PeerCertificate>();
  const backstopMs = timeoutMs + 1000;
  const connectTls = buildConnector({ timeout: backstopMs });
  const agent = new Agent({
    pipelining: 0,
    headersTimeout: backstopMs,
    bodyTimeout: backstopMs,
    connect: (options, callback) => {
      connectTls(options, (...args) => {
        const [err, socket] = args;
        if (err === null && socket instanceof TLSSocket) {
          certificates.set(`${options.hostname}:${options.port || '443'}`, socket.getPeerCertificate());
        }
        callback(...args);
      });
    },
  });
  return {
    dispatcher: agent,
    certificateFor: (url) => certificates.get(`${url.hostname}:${url.port || '443'}`),
    close: () => agent.destroy().catch(() => {}),
  };
}

/** A certificate with fewer whole days left makes the entity degraded. */
export const CERT_WARNING_DAYS = 14;

/** The warning a passing check appends when its certificate is close to expiry. */
export function certificateWarning(days: number): string {
  return `certificate expires in ${days} day${days === 1 ? '' : 's'}`;
}

/** Whole days until the certificate expires (negative once expired), or null when unknown. */
export function certificateDaysLeft(cert: PeerCertificate | undefined, now: number): number | null {
  if (cert?.valid_to === undefined) return null;
  const end = Date.parse(cert.valid_to);
  return Number.isFinite(end) ? Math.floor((end - now) / 86_400_000) : null;
}

export interface BodyText {
  readonly text: string;
  /** True when the body was longer than MAX_BODY_BYTES and reading stopped there. */
  readonly truncated: boolean;
}

/** Reads at most `limit` bytes, then destroys the stream so the rest is never buffered. */
export async function readCapped(body: Dispatcher.ResponseData['body'], limit = MAX_BODY_BYTES): Promise<BodyText> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      chunks.push(chunk.subarray(0, limit - size));
      discard(body);
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** Drops a body we will not read. undici reports that as an error event, which must not go unheard. */
export function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding']);

export interface Hop {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/**
 * The next hop for a redirect response, or null when the response is not a redirect.
 * Follows browser rules: 303 (and 301/302 after POST) become GET without a body; credentials
 * are dropped when the origin changes so a redirect cannot leak them to another host.
 */
export function nextHop(hop: Hop, status: number, location: string | string[] | undefined): Hop | null {
  if (!REDIRECT_STATUSES.has(status) || typeof location !== 'string' || location === '') return null;
  const url = new URL(location, hop.url);
  const toGet = status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST';
  const sameOrigin = url.origin === hop.url.origin;
  const headers = Object.fromEntries(
    Object.entries(hop.headers).filter(([name]) => {
      const lower = name.toLowerCase();
      return !(toGet && BODY_HEADERS.has(lower)) && (sameOrigin || !CREDENTIAL_HEADERS.has(lower));
    }),
  );
  return { url, method: toGet ? 'GET' : hop.method, headers, body: toGet ? null : hop.body };
}

/** Splits `user:pass@` out of a URL into a Basic Authorization header, which undici needs. */
export function firstHop(url: string, method: string, headers: Readonly<Record<string, string>>, body: string | null): Hop {
  const parsed = new URL(url);
  const all: Record<string, string> = { ...headers };
  if (parsed.username !== '' || parsed.password !== '') {
    const hasAuth = Object.keys(all).some((name) => name.toLowerCase() === 'authorization');
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    if (!hasAuth) all.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  return { url: parsed, method: method.toUpperCase(), headers: all, body };
}
