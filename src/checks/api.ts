// api check: one HTTP(S) request (plus redirects) over fresh connections, judged by `expect`.
import { STATUS_CODES } from 'node:http';
import { request } from 'undici';
import type { ApiEntity, CheckOutcome, ExtraValue } from '../types.ts';
import { describeError, scrub, urlSecrets } from './errors.ts';
import { unmetExpectation } from './expect.ts';
import { formatMs } from './format.ts';
import { certificateDaysLeft, createCheckAgent, discard, firstHop, nextHop, readCapped } from './http.ts';
import type { Hop } from './http.ts';
import type { CheckContext } from './index.ts';
import { failure, success } from './outcome.ts';

export const MAX_REDIRECTS = 5;
/** A certificate with fewer whole days left makes the entity degraded (SPEC §3). */
export const CERT_WARNING_DAYS = 14;

/**
 * Latency is the time from the start of the check to the final response's headers: DNS,
 * connect, TLS and every redirect hop included, body transfer excluded.
 */
export async function checkApi(entity: ApiEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const started = performance.now();
  const agent = createCheckAgent(Math.max(1, ctx.deadline - Date.now()));
  const extra: Record<string, ExtraValue> = {};
  const secrets = urlSecrets(entity.url);
  try {
    let hop: Hop = firstHop(entity.url, entity.method, entity.headers, entity.body);
    secrets.push(...secretsOf(hop));
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
          if (days < CERT_WARNING_DAYS) warnings.push(`certificate expires in ${days} day${days === 1 ? '' : 's'}`);
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
function secretsOf(hop: Hop): string[] {
  return Object.values(hop.headers).filter((value) => value.length >= 4);
}
