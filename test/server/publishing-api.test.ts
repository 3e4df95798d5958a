// The series API and the announcements API over HTTP: parameters checked, group series summed
// from their members, announcements written only with the token and kept across a restart.
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

const TOKEN = 'announce-token-0123456789';
let dir: string;
let target: Target;
let store: Store;
let monitor: Monitor;
let api: Served;
const clock = fakeClock(Date.parse('2026-11-21T06:00:00.000Z'));
const config = configOf([
  apiEntity('a', 'http://127.0.0.1:1/unused', [], { group: 'eu/payments' }),
  apiEntity('b', 'http://127.0.0.1:1/unused', [], { group: 'eu' }),
  apiEntity('c', 'http://127.0.0.1:1/unused'),
], {
  api_token: TOKEN,
  status_pages: [{ slug: 'public', title: 'P', description: null, entities: ['a'], groups: [], show_latency: false, show_map: false }],
  announcements: [{ id: 'config-1', title: 'From the file', body: '', severity: 'info', start: null, end: null, pages: null }],
});

async function open(): Promise<Served> {
  store = await openSqliteStore({ dir });
  monitor = createMonitor({ config: configOf(config.entities.map((e) => ({ ...e, url: target.url })), config), store, runCheck, clock, random: () => 0.5 });
  await monitor.start();
  return serve(createApp({ monitor, store, logger: silentLogger(), clock, configStatus: () => ({ path: 'e.yaml', loaded_at: 0, error: null }) }).callback());
}

async function shut(): Promise<void> {
  await api.close();
  await monitor.stop();
  await store.close();
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-publishing-'));
  target = await startTarget();
  api = await open();
  for (const name of ['a', 'b', 'c', 'a']) { await clock.advance(1000); await monitor.checkNow(name); }
});

after(async () => {
  await shut();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (method: string, p: string, body?: unknown, token: string | null = TOKEN) => fetch(api.base + p, {
  method,
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
});

test('series: windows are checked, groups sum their members (sub-groups included)', async () => {
  const one = await (await api.get('/entities/a/series?window=1h')).json();
  assert.equal(one.window, '1h');
  assert.equal(one.step_s, 60);
  assert.equal(one.buckets.length, 60);
  assert.equal(one.buckets.reduce((n: number, b: { checks: number }) => n + b.checks, 0), 2);
  assert.equal((await (await api.get('/entities/a/series')).json()).window, '24h');

  const eu = await (await api.get('/groups/eu/series?window=1h')).json();
  assert.deepEqual(eu.entities, ['a', 'b']);
  assert.equal(eu.buckets.reduce((n: number, b: { checks: number }) => n + b.checks, 0), 3);
  const sub = await (await api.get('/groups/eu/payments/series?window=7d')).json();
  assert.deepEqual(sub.entities, ['a']);
  assert.equal(sub.buckets.length, 168);

  const bad = await api.get('/entities/a/series?window=2w');
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), { error: 'window must be one of 1h, 24h, 7d, 30d, 90d' });
  assert.equal((await api.get('/entities/nobody/series')).status, 404);
  assert.equal((await api.get('/groups/nowhere/series')).status, 404);
});

test('announcements: posted with the token, validated, listed, deleted, and kept across a restart', async () => {
  assert.equal((await send('POST', '/announcements', { title: 'x' }, null)).status, 401);
  assert.equal((await send('POST', '/announcements', { title: 'x' }, 'wrong-token-0123456789')).status, 401);
  for (const [body, error] of [
    [{ body: 'no title' }, 'title must be a non-empty string'],
    [{ title: 'T', severity: 'fatal' }, 'severity must be one of info, warning, critical'],
    [{ title: 'T', start: 'soon' }, 'start must be an ISO 8601 time such as 2026-12-05T02:00:00Z'],
    [{ title: 'T', start: '2026-12-05T02:00:00Z', end: '2026-12-05T01:00:00Z' }, 'end must be after start'],
    [{ title: 'T', pages: ['nope'] }, "unknown status page 'nope'"],
    [{ title: 'T', html: '<b>' }, "unknown field 'html'"],
    ['[1, 2]', 'the body must be a JSON object'],
  ] as const) {
    const res = await send('POST', '/announcements', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.deepEqual(await res.json(), { error }, JSON.stringify(body));
  }
  assert.equal((await send('POST', '/announcements', { title: 'x'.repeat(70_000) })).status, 413);

  const res = await send('POST', '/announcements', { title: 'Maintenance', body: 'DB upgrade\nat <night>', severity: 'warning', start: '2026-11-21T05:00:00Z', end: '2026-11-21T09:00:00Z', pages: ['public'] });
  assert.equal(res.status, 201);
  const posted = await res.json();
  assert.deepEqual({ ...posted, id: 'x' }, { id: 'x', title: 'Maintenance', body: 'DB upgrade\nat <night>', severity: 'warning', start: '2026-11-21T05:00:00.000Z', end: '2026-11-21T09:00:00.000Z', pages: ['public'] });
  const later = await (await send('POST', '/announcements', { title: 'Later', start: '2026-12-01T00:00:00Z' })).json();

  assert.deepEqual((await (await api.get('/announcements')).json()).map((a: { title: string }) => a.title), ['From the file', 'Maintenance', 'Later']);
  assert.deepEqual((await (await api.get('/announcements?current=true')).json()).map((a: { title: string }) => a.title), ['From the file', 'Maintenance']);
  const page = await (await api.get('/status/public.json')).json();
  assert.deepEqual(page.announcements.map((a: { title: string }) => a.title), ['From the file', 'Maintenance']);

  assert.equal((await send('DELETE', `/announcements/${later.id}`, undefined, null)).status, 401);
  assert.equal((await send('DELETE', '/announcements/config-1')).status, 409);
  assert.equal((await send('DELETE', `/announcements/${later.id}`)).status, 204);
  assert.equal((await send('DELETE', `/announcements/${later.id}`)).status, 404);

  await shut();
  api = await open();
  assert.deepEqual((await (await api.get('/announcements')).json()).map((a: { id: string }) => a.id), ['config-1', posted.id]);
});

test('GET /report answers JSON or CSV for a month, and 400 for anything else', async () => {
  const json = await (await api.get('/report?month=2026-11')).json();
  assert.deepEqual(json.entities.map((r: { name: string; checks: number }) => [r.name, r.checks]), [['a', 2], ['b', 1], ['c', 1]]);
  assert.deepEqual(json.groups.map((r: { name: string }) => r.name), ['eu/payments', 'eu']);
  const csv = await api.get('/report?month=2026-11&format=csv');
  assert.match(csv.headers.get('content-type')!, /^text\/csv/);
  assert.match(await csv.text(), /^record,kind,name,checks,/);
  for (const [q, error] of [
    ['', 'month must be YYYY-MM, for example /report?month=2026-11'],
    ['?month=2026-1', 'month must be YYYY-MM, for example /report?month=2026-11'],
    ['?month=2026-11&format=xml', 'format must be json or csv'],
    ['?month=2027-01', 'month 2027-01 has not begun yet'],
  ]) {
    const res = await api.get(`/report${q}`);
    assert.equal(res.status, 400, q);
    assert.deepEqual(await res.json(), { error }, q);
  }
});
