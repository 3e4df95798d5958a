// api check: one HTTP(S) request (plus redirects) over fresh connections, judged by `expect`.
import { STATUS_CODES } from 'node:http';
import { request } from 'undici';
import type { CheckOutcome, EntityBase, ExtraValue } from '../domain.ts';
import { urlIssue } from '../config/rules.ts';
import { pathToPointer } from '../config/positions.ts';
import { scrub, urlSecrets } from '../secrets.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { describeError } from './errors.ts';
import { unmetExpectation } from './expect.ts';
import type { ApiExpect } from './expect.ts';
import { formatMs } from './format.ts';
import { CERT_WARNING_DAYS, certificateDaysLeft, certificateWarning, createCheckAgent, discard, firstHop, nextHop, readCapped } from './http.ts';
import type { Hop } from './http.ts';
import { failure, success } from './outcome.ts';

export interface ApiEntity extends EntityBase {
  readonly type: 'api';
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
  readonly follow_redirects: boolean;
  readonly expect: ApiExpect;
}

interface RawApi {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  follow_redirects?: boolean;
  expect?: { status?: number | number[]; body_contains?: string; json?: Record<string, unknown>; max_latency_ms?: number };
}

export const MAX_REDIRECTS = 5;

/**
 * Latency is the time from the start of the check to the final response's headers: DNS,
 * connect, TLS and every redirect hop included, body transfer excluded.
 */
export async function checkApi(entity: ApiEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const started = performance.now();
  const agent = createCheckAgent(Math.max(1, ctx.deadline - Date.now()));
  const extra: Record<string, ExtraValue> = {};
  const secrets = apiSecrets(entity);
  try {
    let hop: Hop = firstHop(entity.url, entity.method, entity.headers, entity.body);
    secrets.push(...headerSecrets(hop.headers));
    for (let redirects = 0; ; redirects++) {
      const response = await request(hop.url, {
        dispatcher: agent.dispatcher,
        method: hop.method,
        headers: hop.headers,
        body: hop.body,
        signal: ctx.signal,
      });
      extra.http_status = response.statusCode;
      const next = entity.follow_redirects ? nextHop(hop, response.statusCode, response.headers.location) : null;
      if (next !== null) {
        discard(response.body);
        if (redirects === MAX_REDIRECTS) return failure(`too many redirects (${MAX_REDIRECTS})`, extra);
        if (next.url.protocol !== 'http:' && next.url.protocol !== 'https:') {
          return failure(`redirect to unsupported scheme ${next.url.protocol}`, extra);
        }
        hop = next;
        continue;
      }
      const latency = Math.round(performance.now() - started);
      const warnings: string[] = [];
      if (hop.url.protocol === 'https:') {
        const days = certificateDaysLeft(agent.certificateFor(hop.url), Date.now());
        if (days !== null) {
          extra.cert_days = days;
          if (days < CERT_WARNING_DAYS) warnings.push(certificateWarning(days));
        }
      }
      const body = await readCapped(response.body);
      const unmet = unmetExpectation(entity.expect, response.statusCode, body);
      // The body is the target's text: it may echo a header or the URL back at us.
      if (unmet !== null) return failure(scrub(unmet, secrets), extra, latency);

      const max = entity.expect.max_latency_ms;
      if (max !== null && latency > max) warnings.unshift(`slower than ${max} ms`);
      const via = redirects > 0 ? ` after ${redirects} redirect${redirects === 1 ? '' : 's'}` : '';
      const text = `${response.statusCode} ${STATUS_CODES[response.statusCode] ?? ''}`.trim();
      return success(`${text} in ${formatMs(latency)} ms${via}`, latency, extra, warnings);
    }
  } catch (err) {
    return failure(describeError(err, ctx.signal, entity.timeout, secrets), extra);
  } finally {
    await agent.close();
  }
}

/**
 * Header values (including the Authorization made from URL credentials) never appear in a
 * message. Values under 4 characters are left alone: they cannot be secrets worth the name, and
 * scrubbing `1` would mangle every number in the message.
 */
function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  return Object.values(headers).filter((value) => value.length >= 4);
}

function apiSecrets(entity: ApiEntity): string[] {
  return [...urlSecrets(entity.url), ...headerSecrets(entity.headers)];
}

/** The URL without user name or password; other parts are kept as written. */
export function safeApiTarget(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/[^/@]*@/, '//');
  const u = new URL(url);
  if (u.username === '' && u.password === '') return url;
  u.username = '';
  u.password = '';
  return u.href;
}

function buildExpect(raw: RawApi['expect'] = {}): ApiExpect {
  return {
    status: raw.status === undefined ? null : [raw.status].flat(),
    body_contains: raw.body_contains ?? null,
    json: raw.json ?? null,
    max_latency_ms: raw.max_latency_ms ?? null,
  };
}

export const api: CheckType<ApiEntity> = {
  build(fields: RawFields, base) {
    const raw = fields as unknown as RawApi;
    return {
      ...base, type: 'api', target: safeApiTarget(raw.url), url: raw.url, method: raw.method ?? 'GET',
      headers: { ...raw.headers }, body: raw.body ?? null, follow_redirects: raw.follow_redirects ?? true,
      expect: buildExpect(raw.expect),
    };
  },
  validate(raw, at) {
    const issues = urlIssue(raw.url, at('url'));
    const method = typeof raw.method === 'string' ? raw.method : 'GET';
    if (raw.body !== undefined && (method === 'GET' || method === 'HEAD')) {
      issues.push({ path: at('body'), at: 'key', message: `${pathToPointer(at('body'))} is not allowed with method ${method}` });
    }
    return issues;
  },
  secrets: apiSecrets,
  check: checkApi,
  figure: (_entity, state) => {
    const status = state.extra.http_status;
    return { text: `HTTP ${typeof status === 'number' ? status : '—'}`, slot: 'HTTP 000' };
  },
  hiddenFigures: ['http_status'],
};
