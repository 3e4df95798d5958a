// The probe protocol against a real HTTP server: tokens, assignments with their ETag, results
// item by item, limits, and the verdict they lead to.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createLoginLimiter } from '../../src/auth/limiter.ts';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { createProbeService } from '../../src/probes/service.ts';
import type { ProbeService } from '../../src/probes/service.ts';
import { createApp } from '../../src/server/app.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import type { Config } from '../../src/types.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';
import { captureLogger } from '../alerts/helpers.ts';

const FRA = 'fra-secret-token-0123456789';
const NYC = 'nyc-secret-token-0123456789';
const SHOP_KEY = 'shop-header-secret-value';
const START = Date.parse('2026-12-01T06:00:00.000Z');

function yaml(edgePort: number): string {
  return `probes:
  fra: { token: "\${PROBE_FRA_TOKEN}" }
  nyc: { token: "\${PROBE_NYC_TOKEN}", offline_after: 120 }
entities:
  shop:
    type: api
    url: \${SHOP_URL}
    headers: { X-Key: "\${SHOP_KEY}" }
    locations: [local, fra, nyc]
    dependencies: [edge]
  edge: { type: tcp, host: 127.0.0.1, port: ${edgePort}, interval: 30, timeout: 5, locations: [fra, nyc], failure_threshold: 1 }
  backend: { type: tcp, host: 127.0.0.1, port: 9, locations: [nyc] }
`;
}

describe('probe protocol', () => {
  let dir: string;
  let clock: FakeClock;
  let store: Store;
  let monitor: Monitor;
  let probes: ProbeService;
  let api: Served;
  let target: Target;
  const { logger, lines } = captureLogger();

  function load(text: string, fra = FRA): Config {
    const result = parseConfig(text, 'e.yaml', { PROBE_FRA_TOKEN: fra, PROBE_NYC_TOKEN: NYC, SHOP_KEY, SHOP_URL: target.url });
    assert.ok('config' in result, JSON.stringify(result));
    return result.config;
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-probe-'));
    target = await startTarget();
    clock = fakeClock(START);
    store = await openSqliteStore({ dir });
    let judge: Parameters<typeof createMonitor>[0]['runCheck'] = (entity, options) => runCheck(entity, { ...options, now: clock.now });
    monitor = createMonitor({ config: load(yaml(1)), store, clock, logger, random: () => 0.5, runCheck: (e, o) => judge(e, o) });
    probes = createProbeService({ monitor, store, clock, logger });
    const local = judge;
    judge = probes.checker(local);
    await monitor.start();
    api = await serve(createApp({
      monitor, store, logger, clock, probes, configStatus: () => ({ path: 'e.yaml', loaded_at: 0, error: null }),
      probeLimiter: createLoginLimiter({ now: () => clock.now(), free: { 'ip:': 1000 } }),
    }).callback());
  });
  after(async () => {
    probes.close();
    await api.close();
    await monitor.stop();
    await store.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const send = (token: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${api.base}/api/probe/v1/results`, {
    method: 'POST', headers: { ...auth(token), 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const result = (entity: string, ok: boolean, ageMs = 0, message = ok ? 'ok' : 'connection refused') => ({
    entity, at: new Date(clock.now() - ageMs).toISOString(), ok, latency_ms: ok ? 12.4 : null, message,
  });

  it('a missing, unknown or wrong token gets one answer that tells nothing', async () => {
    const tries: Record<string, string>[] = [
      {}, auth('nobody-knows-this-token-000'), auth(FRA.slice(0, -1)), auth(`${FRA}x`), { authorization: `Basic ${btoa(`fra:${FRA}`)}` },
    ];
    for (const headers of tries) {
      for (const res of [await api.get('/api/probe/v1/assignments', headers), await fetch(`${api.base}/api/probe/v1/results`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"results":[]}' })]) {
        assert.equal(res.status, 401);
        assert.equal(await res.text(), '{"error":"unauthorized"}');
        assert.equal(res.headers.get('etag'), null);
      }
    }
    assert.deepEqual(probes.status().map((s) => [s.site, s.online]), [['fra', false], ['nyc', false]], 'a failed request is no sign of life');
  });

  it('assignments list the site\'s entities with their fields as written: references unexpanded, no secret', async () => {
    const res = await api.get('/api/probe/v1/assignments', auth(FRA));
    assert.equal(res.status, 200);
    const etag = res.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f]{32}"$/);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), {
      site: 'fra',
      entities: [
        { name: 'shop', type: 'api', interval: 60, timeout: 10, check: { type: 'api', url: '${SHOP_URL}', headers: { 'X-Key': '${SHOP_KEY}' } } },
        { name: 'edge', type: 'tcp', interval: 30, timeout: 5, check: { type: 'tcp', host: '127.0.0.1', port: 1, interval: 30, timeout: 5 } },
      ],
    });
    for (const secret of [SHOP_KEY, FRA, NYC, target.url]) assert.ok(!text.includes(secret), 'no expanded value leaves the server');
    const nyc = await (await api.get('/api/probe/v1/assignments', auth(NYC))).json();
    assert.deepEqual(nyc.entities.map((e: { name: string }) => e.name), ['shop', 'edge', 'backend']);
    assert.equal(probes.status().find((s) => s.site === 'fra')!.online, true, 'an authenticated request is a sign of life');
  });

  it('If-None-Match with the current ETag is a 304; a reload that changes the site\'s entities changes it', async () => {
    const first = await api.get('/api/probe/v1/assignments', auth(FRA));
    const etag = first.headers.get('etag')!;
    const again = await api.get('/api/probe/v1/assignments', { ...auth(FRA), 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    const nycTag = (await api.get('/api/probe/v1/assignments', auth(NYC))).headers.get('etag')!;
    // Only backend (nyc only) changes: fra's document stays, nyc's does not.
    monitor.apply(load(yaml(1).replace('port: 9, locations: [nyc]', 'port: 10, locations: [nyc]')));
    assert.equal((await api.get('/api/probe/v1/assignments', { ...auth(FRA), 'if-none-match': etag })).status, 304);
    const changed = await api.get('/api/probe/v1/assignments', { ...auth(NYC), 'if-none-match': nycTag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), nycTag);
    monitor.apply(load(yaml(2)));
    const moved = await api.get('/api/probe/v1/assignments', { ...auth(FRA), 'if-none-match': etag });
    assert.equal(moved.status, 200);
    assert.equal((await moved.json()).entities[1].check.port, 2);
  });

  it('results: each bad item is rejected with its reason, the others accepted', async () => {
    const res = await send(FRA, { results: [
      result('edge', true),
      result('nope', true),
      result('backend', true), // nyc's, not fra's
      { ...result('edge', true), at: 'yesterday' },
      { ...result('edge', true), at: new Date(clock.now() + 61_000).toISOString() },
      { ...result('edge', true), ok: 'yes' },
      { ...result('edge', true), extra: { cert_days: 12, nested: { a: 1 } } },
      { ...result('edge', true), at: new Date(clock.now() - 25 * 3_600_000).toISOString() },
      'not an object',
    ] });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      accepted: 1,
      rejected: [
        { index: 1, entity: 'nope', error: 'entity not assigned to site fra' },
        { index: 2, entity: 'backend', error: 'entity not assigned to site fra' },
        { index: 3, entity: 'edge', error: 'at must be an ISO-8601 time such as 2026-12-02T03:04:05.000Z' },
        { index: 4, entity: 'edge', error: 'at is more than 60 s in the future (check the probe\'s clock)' },
        { index: 5, entity: 'edge', error: 'ok must be true or false' },
        { index: 6, entity: 'edge', error: 'extra.nested must be a string, a finite number or a boolean' },
        { index: 7, entity: 'edge', error: 'at is older than 24 h' },
        { index: 8, entity: null, error: 'each result must be an object' },
      ],
    });
  });

  it('a malformed body is a 400, a wrong type a 415, too many results or bytes a 413', async () => {
    const cases: [unknown, Record<string, string>, number, string][] = [
      ['{"results": [', {}, 400, 'the body is not valid JSON'],
      [{ result: [] }, {}, 400, 'the body must be { "results": [ ... ] }'],
      [[1, 2], {}, 400, 'the body must be a JSON object'],
      ['results=1', { 'content-type': 'text/plain' }, 415, 'send the body as application/json'],
      [{ results: Array.from({ length: 1001 }, () => result('edge', true)) }, {}, 413, 'at most 1000 results per request'],
      [{ results: [{ ...result('edge', true), message: 'x'.repeat(1024 * 1024) }] }, {}, 413, 'request body over 1048576 bytes'],
    ];
    for (const [body, headers, status, error] of cases) {
      const res = await send(FRA, body, headers);
      assert.equal(res.status, status, error);
      assert.ok((await res.json()).error.startsWith(error), error);
    }
  });

  it('results judge an entity checked at probe sites only: one failing site of two is degraded, two an error', async () => {
    await send(FRA, { results: [result('edge', true)] });
    await send(NYC, { results: [result('edge', true)] });
    assert.equal(monitor.state('edge')!.status, 'ok');
    assert.equal(monitor.state('edge')!.message, 'ok at 2 of 2 sites (fra, nyc)');
    await clock.advance(10_000);
    await send(FRA, { results: [result('edge', false)] });
    assert.deepEqual([monitor.state('edge')!.status, monitor.state('edge')!.message], ['degraded', '1 of 2 sites failing: fra connection refused']);
    await send(NYC, { results: [result('edge', false, 0, 'timeout after 5 s')] });
    assert.deepEqual([monitor.state('edge')!.status, monitor.state('edge')!.message], ['error', '2 of 2 sites failing: fra connection refused; nyc timeout after 5 s']);
  });

  it('old results are kept with their own times but do not judge; a silent probe is unknown, never down', async () => {
    await clock.advance(3_600_000);
    const before = monitor.state('edge')!;
    const at = new Date(clock.now() - 2 * 3_600_000 + 5_000).toISOString();
    const res = await send(FRA, { results: [{ ...result('edge', true), at }] });
    assert.deepEqual(await res.json(), { accepted: 1, rejected: [] });
    // Older than what fra reported last: the newer failure stays fra's latest.
    assert.equal(probes.sitesOf('edge')!.fra!.ok, false);
    const buffered = new Date(clock.now() - 30 * 60_000).toISOString();
    await send(NYC, { results: [{ ...result('edge', true), at: buffered }] });
    assert.deepEqual(probes.sitesOf('edge')!.nyc, { ok: true, at: buffered, message: 'ok', fresh: false });
    await clock.advance(60_000);
    assert.equal(monitor.state('edge')!.status, before.status, 'no fresh result: the verdict stays as it was');
    assert.equal(monitor.state('edge')!.fail_count, before.fail_count);
  });

  it('an entity checked here and at the sites: the verdict comes with the local check, stored results too', async () => {
    await send(FRA, { results: [result('shop', false, 0, 'HTTP 503')] });
    await send(NYC, { results: [result('shop', true)] });
    const requests = target.requests;
    await monitor.checkNow('shop');
    assert.deepEqual([monitor.state('shop')!.status, monitor.state('shop')!.message], ['degraded', '1 of 3 sites failing: fra HTTP 503']);
    assert.deepEqual(Object.keys(probes.sitesOf('shop')!), ['local', 'fra', 'nyc']);
    assert.equal(target.requests, requests + 1, 'the instance ran its own check');
    assert.ok(!lines.some((l) => l.includes(FRA) || l.includes(NYC) || l.includes(SHOP_KEY)), 'no token or secret in the logs');
  });

  it('a token rotated by a reload: the old one is refused at once, the new one works', async () => {
    const rotated = 'fra-rotated-token-9876543210';
    monitor.apply(load(yaml(2), rotated));
    assert.equal((await api.get('/api/probe/v1/assignments', auth(FRA))).status, 401);
    const res = await api.get('/api/probe/v1/assignments', auth(rotated));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).site, 'fra');
    assert.equal((await api.get('/api/probe/v1/assignments', auth(NYC))).status, 200, 'the other site is untouched');
  });
});

describe('probe tokens are guessed slowly', () => {
  it('after repeated failures from one address, wrong tokens wait; a right one from the same address is still heard', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-probe-'));
    const clock = fakeClock(START);
    const store = await openSqliteStore({ dir });
    const result = parseConfig('probes:\n  fra: { token: "${T}" }\nentities:\n  a: { type: tcp, host: 127.0.0.1, port: 9, locations: [fra] }\n', 'e.yaml', { T: FRA });
    assert.ok('config' in result);
    const monitor = createMonitor({ config: result.config, store, clock, runCheck: async () => null });
    const probes = createProbeService({ monitor, store, clock, logger: captureLogger().logger });
    const api = await serve(createApp({
      monitor, store, logger: captureLogger().logger, clock, probes, configStatus: () => ({ path: 'e.yaml', loaded_at: 0, error: null }),
      probeLimiter: createLoginLimiter({ now: () => clock.now(), free: { 'ip:': 3 } }),
    }).callback());
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await api.get('/api/probe/v1/assignments', { authorization: 'Bearer wrong-token-000000000' })).status);
      const refused = await api.get('/api/probe/v1/assignments', { authorization: 'Bearer wrong-token-000000000' });
      const right = await api.get('/api/probe/v1/assignments', { authorization: `Bearer ${FRA}` });
      assert.deepEqual([...statuses, refused.status, right.status], [401, 401, 401, 429, 429, 200]);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      // A right token clears nothing: the next wrong one still waits, until the wait is over.
      assert.equal((await api.get('/api/probe/v1/assignments', { authorization: 'Bearer wrong-token-000000000' })).status, 429);
      await clock.advance(60_000);
      assert.equal((await api.get('/api/probe/v1/assignments', { authorization: 'Bearer wrong-token-000000000' })).status, 401);
    } finally {
      probes.close();
      await api.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
