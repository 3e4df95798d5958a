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
import { fakeClock } from '../helpers/clock.ts';
import { apiEntity, configOf } from '../helpers/entities.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';

let dir: string;
let db: Target;
let web: Target;
let jobs: Target;
let store: Store;
let monitor: Monitor;
let api: Served;
let check: (name: string) => Promise<void>;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-api-'));
  db = await startTarget();
  web = await startTarget();
  jobs = await startTarget();
  const clock = fakeClock(Date.parse('2026-11-21T06:00:00.000Z'));
  const config = configOf([
    apiEntity('web', web.url, ['db'], { interval: 900, group: 'fold_vds', extra: { runs_in: 'docker' } }),
    apiEntity('db', db.url, [], { target: db.url }),
    apiEntity('jobs', jobs.url),
  ], { api_token: 'a-very-secret-token-123' });
  store = await openSqliteStore({ dir });
  // The scheduler's clock is manual: checks here run only when the test asks (checkNow).
  monitor = createMonitor({ config, store, runCheck, clock, random: () => 0.5 });
  await monitor.start();
  // Each check one second after the previous one, so every result has its own time.
  check = async (name) => { await clock.advance(1000); await monitor.checkNow(name); };
  api = await serve(createApp({
    monitor, store, logger: silentLogger(), clock,
    configStatus: () => ({ path: '/etc/pulsemap/entities.yaml', loaded_at: Date.parse('2026-11-21T05:00:00.000Z'), error: null }),
  }).callback());
});

after(async () => {
  await api.close();
  await monitor.stop();
  await store.close();
  await db.close();
  await web.close();
  await jobs.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a target switched to 503 walks ok -> pending -> error; its dependent shows blocked', async () => {
  await check('db');
  await check('web');
  let doc = await (await api.get('/entities/db')).json();
  assert.equal(doc.status, 'ok');

  db.status = 503;
  web.status = 503;
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    await check('db');
    seen.push((await (await api.get('/entities/db')).json()).status);
  }
  assert.deepEqual(seen, ['pending', 'pending', 'error']);
  for (let i = 0; i < 3; i++) await check('web');

  doc = await (await api.get('/entities/web')).json();
  assert.deepEqual(Object.keys(doc), [
    'name', 'type', 'interval', 'lastcheck', 'status', 'success_count', 'fail_count', 'success_ratio', 'dependencies', 'extra',
    'message', 'latency_ms', 'since', 'consecutive_failures', 'blocked_by', 'group', 'target', 'uptime', 'uptime_coverage', 'flapping', 'ack', 'maintenance',
  ]);
  assert.equal(doc.name, 'web');
  assert.equal(doc.type, 'api');
  assert.equal(doc.interval, 900);
  assert.match(doc.lastcheck, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(doc.status, 'blocked');
  assert.equal(doc.blocked_by, 'db');
  assert.equal(doc.success_count, 1);
  assert.equal(doc.fail_count, 3);
  assert.equal(doc.success_ratio, 0.25);
  assert.deepEqual(doc.dependencies, ['db']);
  assert.deepEqual(doc.extra, { runs_in: 'docker', http_status: 503 });
  assert.equal(doc.message, 'expected status 2xx, got 503');
  assert.equal(typeof doc.latency_ms, 'number');
  assert.equal(doc.consecutive_failures, 3);
  assert.equal(doc.group, 'fold_vds');
  assert.equal(doc.target, web.url);
  assert.deepEqual(Object.keys(doc.uptime), ['24h', '7d', '30d']);
  // Checked for seconds: no window has more than a sliver of data (exact figures: uptime.test.ts).
  assert.deepEqual(Object.keys(doc.uptime_coverage), ['24h', '7d', '30d']);
  for (const share of Object.values(doc.uptime_coverage) as number[]) assert.ok(share >= 0 && share < 0.001, JSON.stringify(doc.uptime_coverage));

  const dbDoc = await (await api.get('/entities/db')).json();
  assert.equal(dbDoc.dependencies, null, 'no dependencies is null, not []');
});

test('GET /entities lists every entity in file order', async () => {
  const res = await api.get('/entities');
  assert.equal(res.status, 200);
  const docs = await res.json();
  assert.deepEqual(docs.map((d: { name: string }) => d.name), ['web', 'db', 'jobs']);
});

test('unknown names are 404 with an error document; bad limits are 400', async () => {
  const res = await api.get('/entities/nope');
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: "no entity named 'nope'" });
  for (const bad of ['0', '1001', 'abc', '-1', '2.5']) {
    const r = await api.get(`/entities/db/history?limit=${bad}`);
    assert.equal(r.status, 400, `limit=${bad}`);
    assert.match((await r.json()).error, /limit/);
  }
});

test('history is newest first, limited, with a before cursor', async () => {
  // Its own entity and checks: the test holds whichever tests run before it, or none.
  jobs.status = 200;
  await check('jobs');
  jobs.status = 503;
  for (let i = 0; i < 3; i++) await check('jobs');
  const all = await (await api.get('/entities/jobs/history')).json();
  assert.equal(all.length, 4);
  assert.deepEqual(all.map((h: { ok: boolean }) => h.ok), [false, false, false, true]);
  assert.deepEqual(Object.keys(all[0]), ['at', 'ok', 'status', 'latency_ms', 'message']);
  assert.equal(all[0].status, 'error');
  const two = await (await api.get('/entities/jobs/history?limit=2')).json();
  assert.deepEqual(two, all.slice(0, 2));
  const older = await (await api.get(`/entities/jobs/history?limit=2&before=${encodeURIComponent(two[1].at)}`)).json();
  assert.deepEqual(older, all.slice(2, 4));
});

test('/health reports the store, the entity count and the configuration', async () => {
  const res = await api.get('/health');
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.entities, 3);
  assert.deepEqual(body.store, { ok: true, kind: 'sqlite', error: null, since: null, queued: body.store.queued, dropped: 0 });
  assert.ok(Number.isInteger(body.store.queued));
  assert.deepEqual(body.config, { path: '/etc/pulsemap/entities.yaml', loaded_at: '2026-11-21T05:00:00.000Z', error: null });
});

test('POST /entities/:name/check runs a check now, only with the bearer token', async () => {
  const post = (headers: Record<string, string>) => fetch(`${api.base}/entities/db/check`, { method: 'POST', headers });
  const before = monitor.state('db')!.fail_count + monitor.state('db')!.success_count;
  const attempts: [Record<string, string>, string][] = [
    [{}, 'log in or send a valid bearer token'],
    [{ authorization: 'Bearer wrong' }, 'the bearer token is not valid'],
    [{ authorization: 'a-very-secret-token-123' }, 'log in or send a valid bearer token'],
  ];
  for (const [auth, error] of attempts) {
    const res = await post(auth);
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error });
  }
  assert.equal(monitor.state('db')!.fail_count + monitor.state('db')!.success_count, before, 'refused calls ran nothing');
  const res = await post({ authorization: 'Bearer a-very-secret-token-123' });
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.equal(doc.success_count + doc.fail_count, before + 1);
  assert.doesNotMatch(JSON.stringify(doc), /a-very-secret-token/);
});
