// The probe protocol: GET /api/probe/v1/assignments and POST /api/probe/v1/results, each with the
// site's `Authorization: Bearer TOKEN`. A missing, unknown or wrong token gets one answer, whatever
// it was; repeated failures from one address wait like failed logins, a right token never does.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { LoginLimiter } from '../../auth/limiter.ts';
import { blockListOf, clientAddress } from '../../auth/network.ts';
import { bearer } from '../../auth/identity.ts';
import type { AuthConfig } from '../../auth/types.ts';
import type { ProbeService } from '../../probes/service.ts';
import { MAX_RESULTS } from '../../probes/protocol.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';

export const PROBE_PREFIX = '/api/probe/v1';
const MAX_BODY = 1024 * 1024;

export interface ProbeRouteDeps {
  readonly probes: ProbeService;
  readonly limiter: LoginLimiter;
  readonly auth: () => AuthConfig;
}

/**
 * The calling probe's site; 401 otherwise, or 429 once one address has failed repeatedly. A right
 * token is always heard: tokens are too long to guess, and one misconfigured probe must not lock
 * out the others that reach the server through the same address (a NAT, a proxy).
 */
function siteOf(ctx: Context, deps: ProbeRouteDeps): string {
  const token = bearer(ctx);
  const site = token === null ? null : deps.probes.authenticate(token);
  if (site !== null) {
    deps.probes.seen(site);
    return site;
  }
  const keys = [`ip:${clientAddress(ctx.req, blockListOf(deps.auth().proxies))}`];
  const wait = deps.limiter.wait(keys);
  if (wait > 0) {
    ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
    throw new HttpError(429, 'too many failed attempts; retry later');
  }
  deps.limiter.failed(keys);
  ctx.set('WWW-Authenticate', 'Bearer');
  throw new HttpError(401, 'unauthorized');
}

export function probeRoutes(router: Router, deps: ProbeRouteDeps): void {
  router.get(`${PROBE_PREFIX}/assignments`, (ctx) => {
    const site = siteOf(ctx, deps);
    const { body, etag } = deps.probes.assignments(site);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('ETag', etag);
    if (ctx.get('if-none-match').split(',').map((t) => t.trim()).includes(etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = body;
  });

  router.post(`${PROBE_PREFIX}/results`, async (ctx) => {
    const site = siteOf(ctx, deps);
    ctx.set('Cache-Control', 'no-store');
    const { data, form } = await readBody(ctx, MAX_BODY);
    if (form) throw new HttpError(415, 'send the body as application/json');
    const results = data.results;
    if (!Array.isArray(results)) throw new HttpError(400, 'the body must be { "results": [ ... ] }');
    if (results.length > MAX_RESULTS) throw new HttpError(413, `at most ${MAX_RESULTS} results per request; send the rest in another`);
    ctx.body = await deps.probes.receive(site, results);
  });
}
