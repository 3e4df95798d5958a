// Status pages and badges against a running monitor with real HTTP targets: they are anonymous,
// show only what a page lists, and never leak a target, a message, an extra value or an unlisted
// name — with hostile names, titles and extra values in play.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { runCheck } from '../../src/checks/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { createApp } from '../../src/server/app.ts';
import { silentLogger } from '../../src/log.ts';
import type { Config } from '../../src/types.ts';
import { buildAuth } from '../../src/auth/config.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { apiEntity, configOf } from '../helpers/entities.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';

const HOSTILE_GROUP = `eu/<b onmouseover="x()">pay</b>&'`;
const SECRETS = ['SECRET-MESSAGE-7731', 'EXTRA-VALUE-4410', 'secret-path-9923', 'internal_db', 'pay_core', 'hidden_svc'];
/** Raw markup from hostile text: fine inside JSON strings, never in HTML or SVG. */
const MARKUP = ['onmouseover="x()"', '<script', '<img', '<wave>'];

let dir: string;
let shop: Target;
let db: Target;
let pay: Target;
let store: Store;
let monitor: Monitor;
let clock: FakeClock;
let api: Served;
let config: Config;
let shopUrl: string;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-status-'));
  [shop, db, pay] = await Promise.all([startTarget(), startTarget(503, 'SECRET-MESSAGE-7731'), startTarget()]);
  shopUrl = shop.url.replace('/health', '/secret-path-9923');
  clock = fakeClock(Date.parse('2026-11-21T06:00:00.000Z'));
  config = configOf([
    apiEntity('shop_api', shopUrl, ['internal_db'], { failure_threshold: 1, extra: { runs_in: 'EXTRA-VALUE-4410', note: '<script>alert(1)</script>' } }),
    apiEntity('internal_db', db.url, [], { failure_threshold: 1, expect: { status: [200], body_contains: null, json: null, max_latency_ms: null } }),
    apiEntity('pay_core', pay.url, [], { group: HOSTILE_GROUP, extra: { key: 'EXTRA-VALUE-4410' } }),
    apiEntity('hidden_svc', pay.url),
  ], {
    title: 'internal <script>title</script>',
    api_token: 'token-for-writes-123456',
    status_pages: [{ slug: 'public', title: 'Shop <script>alert("t")</script>', description: 'Say "hi" & <wave>', entities: ['shop_api'], groups: [HOSTILE_GROUP], show_latency: true, show_map: true }],
    announcements: [{ id: 'config-1', title: 'Upgrade <script>', body: 'line one\n<img src=x onerror=alert(1)>', severity: 'warning', start: null, end: null, pages: null }],
  });
  store = await openSqliteStore({ dir });
  monitor = createMonitor({ config, store, runCheck, clock, random: () => 0.5 });
  await monitor.start();
  for (const name of ['internal_db', 'pay_core', 'hidden_svc', 'shop_api']) {
    await clock.advance(1000);
    await monitor.checkNow(name);
  }
  shop.status = 500; // shop fails while its dependency is down: blocked by internal_db
  await clock.advance(1000);
  await monitor.checkNow('shop_api');
  // An hour of checks every minute: coverage of the 90 days is small but not zero.
  await clock.advance(3_600_000);
  api = await serve(createApp({
    monitor, store, logger: silentLogger(), clock,
    configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }),
  }).callback());
});

after(async () => {
  await api.close();
  await monitor.stop();
  await store.close();
  await Promise.all([shop, db, pay].map((t) => t.close()));
  rmSync(dir, { recursive: true, force: true });
});

function assertClean(text: string, where: string, markup = true): void {
  for (const s of markup ? [...SECRETS, ...MARKUP] : SECRETS) assert.ok(!text.includes(s), `${where} must not contain ${s}`);
  assert.ok(!text.includes(shopUrl) && !text.includes(db.url) && !text.includes(pay.url) && !text.includes('127.0.0.1'), `${where} must not contain a target`);
}

test('the status page shows the listed entity and group, blocked by "a dependency", with nothing else', async () => {
  assert.equal(monitor.state('shop_api')?.status, 'blocked');
  const res = await api.get('/status/public');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/html/);
  const html = await res.text();
  assertClean(html, 'HTML');
  assert.ok(!html.includes('<script'), 'no script at all: the page works without JavaScript');
  assert.match(html, /<title>Shop &lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt;<\/title>/);
  assert.match(html, /Say &quot;hi&quot; &amp; &lt;wave&gt;/);
  assert.match(html, /<span class="name">shop_api<\/span>/);
  assert.match(html, /Outage — caused by a dependency/);
  assert.ok(html.includes('eu/&lt;b onmouseover=&quot;x()&quot;&gt;pay&lt;/b&gt;&amp;&#39;'), 'the hostile group name is escaped');
  assert.match(html, /Upgrade &lt;script&gt;/);
  assert.match(html, /line one<br>&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /shop_api → a dependency/);
  assert.equal((html.match(/class="day /g) ?? []).length, 180, '90 day bars for each of the two rows');

  const json = await (await api.get('/status/public.json')).json();
  assertClean(JSON.stringify(json), 'JSON', false);
  assert.deepEqual(json.items.map((i: { kind: string; name: string; status: string; cause: string | null }) => [i.kind, i.name, i.status, i.cause]),
    [['entity', 'shop_api', 'outage', 'a dependency'], ['group', HOSTILE_GROUP, 'operational', null]]);
  assert.equal(json.status, 'partial_outage');
  assert.deepEqual(json.incidents.map((i: { name: string }) => i.name), ['shop_api']);
  assert.deepEqual(json.dependencies, [{ from: 'shop_api', to: 'a dependency' }]);
  assert.equal(json.items[0].days.length, 90);
  assert.ok(json.items[0].coverage_90d > 0 && json.items[0].coverage_90d < 0.001, `a few seconds of data in 90 days: ${json.items[0].coverage_90d}`);
  assert.ok(typeof json.items[0].latency_ms === 'number');

  // One page configured: /status is that page (links one level up from /status/public).
  const single = await (await api.get('/status')).text();
  assert.match(single, /href="status\.css"/);
  assert.match(html, /href="\.\.\/status\.css"/);
  assert.equal((await api.get('/status/nope')).status, 404);
  assert.equal((await api.get('/status/nope.json')).status, 404);
});

test('badges exist only for what a page lists, are escaped, and revalidate with ETags', async () => {
  const status = await api.get('/badge/shop_api/status.svg');
  assert.equal(status.status, 200);
  assert.match(status.headers.get('content-type')!, /image\/svg\+xml/);
  const svg = await status.text();
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, />outage</);
  assertClean(svg, 'status badge');
  const etag = status.headers.get('etag')!;
  assert.equal((await api.get('/badge/shop_api/status.svg', { 'if-none-match': etag })).status, 304);

  for (const p of ['/badge/shop_api/uptime/7d.svg', '/badge/shop_api/uptime/90d.svg', '/badge/shop_api/latency.svg']) {
    const res = await api.get(p);
    assert.equal(res.status, 200, p);
    assertClean(await res.text(), p);
  }
  const uptime = await (await api.get('/badge/shop_api/uptime/24h.svg')).text();
  const ratio = (await store.uptime('shop_api', clock.now()))['24h']!;
  assert.ok(ratio > 0 && ratio < 0.1, `one passing check, then failures: ${ratio}`);
  assert.ok(uptime.includes(`>${(ratio * 100).toFixed(2)}%<`), uptime);

  const group = await api.get(`/badge/group/${encodeURIComponent(HOSTILE_GROUP).replace(/%2F/g, '/')}/status.svg`);
  assert.equal(group.status, 200);
  const groupSvg = await group.text();
  assert.ok(groupSvg.includes('eu/&lt;b onmouseover=&quot;x()&quot;&gt;pay&lt;/b&gt;&amp;&#39;'), 'escaped group name');
  assertClean(groupSvg, 'group badge');

  for (const p of ['/badge/hidden_svc/status.svg', '/badge/internal_db/uptime/7d.svg', '/badge/nobody/status.svg', '/badge/group/eu/status.svg']) {
    const res = await api.get(p);
    assert.equal(res.status, 404, p);
    assertClean(await res.text(), p);
  }
  assert.equal((await api.get('/badge/shop_api/uptime/2w.svg')).status, 400);
});

test('with badges: all, every entity and group has badges; pages stay as listed', async () => {
  monitor.apply({ ...config, badges: 'all' });
  try {
    const res = await api.get('/badge/hidden_svc/status.svg');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /hidden_svc/);
    assert.equal((await api.get('/badge/group/eu/uptime/30d.svg')).status, 200);
    assertClean(await (await api.get('/status/public')).text(), 'HTML with badges: all');
  } finally {
    monitor.apply(config);
  }
});

test('with login on, status pages, their stylesheet and badges stay anonymous; the API does not', async () => {
  monitor.apply({
    ...config,
    auth: buildAuth({ tokens: [{ name: 'viewer-bot', role: 'viewer', token: 'viewer-token-0123456789' }, { name: 'ed', role: 'editor', token: 'editor-token-0123456789' }] }, config.api_token),
  });
  try {
    for (const p of ['/status', '/status/public', '/status/public.json', '/badge/shop_api/status.svg', '/badge/shop_api/uptime/30d.svg']) {
      assert.equal((await api.get(p)).status, 200, p);
    }
    assert.equal((await api.get('/entities')).status, 401);
    assert.equal((await api.get('/entities/shop_api/series')).status, 401);
    assert.equal((await api.get('/report?month=2026-11')).status, 401);
    assert.equal((await api.get('/entities/shop_api/series', { authorization: 'Bearer viewer-token-0123456789' })).status, 200);
    const post = (token: string) => fetch(`${api.base}/announcements`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Checkout slow' }),
    });
    assert.equal((await post('viewer-token-0123456789')).status, 403);
    const created = await post('editor-token-0123456789');
    assert.equal(created.status, 201);
    const del = await fetch(`${api.base}/announcements/${(await created.json()).id}`, { method: 'DELETE', headers: { authorization: 'Bearer editor-token-0123456789' } });
    assert.equal(del.status, 204);
  } finally {
    monitor.apply(config);
  }
});
