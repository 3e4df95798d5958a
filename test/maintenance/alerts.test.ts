// Maintenance windows end to end on real parts: a target on 127.0.0.1, the monitor, the SQLite
// store, the alert policy and outbox, the real Telegram client against the fake Bot API, the
// HTTP API; one manual clock for all of them (no sleeps).
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/server/app.ts';
import { silentLogger } from '../../src/log.ts';
import { buildAuth } from '../../src/auth/config.ts';
import { createMaintenance } from '../../src/maintenance/service.ts';
import type { MaintenanceService } from '../../src/maintenance/service.ts';
import type { MaintenanceWindow } from '../../src/maintenance/window.ts';
import { apiEntity } from '../helpers/entities.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';
import { startFakeTelegram } from '../alerts/fake-telegram.ts';
import type { FakeTelegram } from '../alerts/fake-telegram.ts';
import { telegramConfig, tempStore } from '../alerts/helpers.ts';
import type { TempStore } from '../alerts/helpers.ts';
import { startRig } from '../alerts/rig.ts';
import type { Rig } from '../alerts/rig.ts';

let fake: FakeTelegram;
const targets: Target[] = [];
const rigs: Rig[] = [];
const servers: Served[] = [];
const services: MaintenanceService[] = [];
before(async () => { fake = await startFakeTelegram(); });
after(() => fake.close());
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const m of services.splice(0)) m.close();
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
  fake.requests.length = 0;
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const TOKEN = 'maintenance-test-token-0123456789';
const texts = (): string[] => fake.delivered().map((r) => r.params.text!);

/** db (its own target) with api on top of it (another target); reminders every 10 min. */
async function setUp(windows: (now: number) => MaintenanceWindow[] = () => [], reuse?: { temp: TempStore; dbTarget: Target; apiTarget: Target; later: number }) {
  const dbTarget = reuse?.dbTarget ?? await startTarget(200, 'ok');
  const apiTarget = reuse?.apiTarget ?? await startTarget(200, 'ok');
  if (!reuse) targets.push(dbTarget, apiTarget);
  const opts = { failure_threshold: 1, interval: 24 * 3600, timeout: 5 };
  const r = await startRig([apiEntity('db', dbTarget.url, [], opts), apiEntity('api', apiTarget.url, ['db'], opts)],
    { telegram: telegramConfig(fake.apiRoot), reminder: 600 }, reuse ? { temp: reuse.temp } : {});
  if (!reuse) rigs.push(r);
  if (reuse) await r.clock.advance(reuse.later);
  r.monitor.apply({ ...r.monitor.config(), maintenance: windows(r.clock.now()), api_token: TOKEN, auth: buildAuth(undefined, TOKEN) });
  const m = createMaintenance({ monitor: r.monitor, store: r.temp.store, clock: r.clock });
  services.push(m);
  m.listen((change) => r.alerts.maintenanceChanged(change));
  await m.start();
  return { dbTarget, apiTarget, r, m };
}

const once = (name: string, entities: string[], start: number, end: number): MaintenanceWindow => ({
  id: name, name, entities, groups: [], reason: 'new disk', schedule: { kind: 'once', start, end }, source: 'config', by: null,
});

test('a root failing inside a window: no alert, status maintenance, uptime unaffected; still failing at the end: one message then', async () => {
  const { dbTarget, apiTarget, r } = await setUp((now) => [once('db-upgrade', ['db'], now + MIN, now + HOUR)]);
  await r.check('db', 'api');
  await r.deliver();
  assert.deepEqual(texts(), [], 'nothing to tell before the window');

  await r.clock.advance(MIN);
  await r.deliver();
  assert.equal(texts().length, 1);
  assert.match(texts()[0]!, /^🔧 Maintenance <b>db-upgrade<\/b> started\nnew disk\nCovers: db, api\nUntil 2026-11-21 07:00 UTC/);
  assert.equal(r.monitor.state('db')!.status, 'maintenance');
  assert.equal(r.monitor.state('api')!.status, 'maintenance', 'a dependent follows its dependency');
  assert.deepEqual(r.monitor.maintenanceOf('api'), { id: 'db-upgrade', name: 'db-upgrade', until: Date.UTC(2026, 10, 21, 7) });

  dbTarget.status = 503;
  apiTarget.status = 503;
  for (let i = 0; i < 3; i++) {
    await r.clock.advance(10 * MIN);
    await r.check('db', 'api');
  }
  await r.deliver();
  assert.equal(texts().length, 1, 'no down message and no reminder during the window');
  assert.equal(r.monitor.state('db')!.status, 'maintenance');
  assert.equal(r.monitor.verdict('db')!.status, 'error', 'the verdict goes on underneath');
  const uptime = await r.temp.store.uptime('db', r.clock.now());
  assert.equal(uptime['24h'], 1, 'the failures inside the window do not count');
  const history = await r.temp.store.history('db', { limit: 10 });
  assert.deepEqual(history.map((h) => h.status), ['maintenance', 'maintenance', 'maintenance', 'ok'], 'results are stored');

  await r.clock.advance(Date.UTC(2026, 10, 21, 7) - r.clock.now());
  await r.deliver();
  assert.equal(texts().length, 2, 'one message at the end');
  const end = texts()[1]!;
  assert.match(end, /^🏁 Maintenance <b>db-upgrade<\/b> ended\nCovered: db, api\nLasted 59 min; alerts are back on/);
  assert.match(end, /🔴 <b>db<\/b> is down\nexpected status 2xx, got 503\nImpacted: api\nSince 2026-11-21 07:00 UTC/);
  assert.doesNotMatch(end, /<b>api<\/b> is down/, 'the dependent is blocked, named as impacted');
  assert.equal(r.monitor.state('db')!.status, 'error');
  assert.equal(r.monitor.state('api')!.status, 'blocked');
  const transitions = await r.temp.store.transitions('db', 10);
  assert.deepEqual(transitions.map((t) => `${t.from}>${t.to}`), ['maintenance>error', 'ok>maintenance', 'unknown>ok']);
});

test('an announced failure that recovers during a window gets its recovery at once; no reminders meanwhile', async () => {
  const { dbTarget, r } = await setUp();
  dbTarget.status = 503;
  await r.check('db');
  await r.deliver();
  assert.match(texts()[0]!, /^🔴 <b>db<\/b> is down/);
  r.monitor.apply({ ...r.monitor.config(), maintenance: [once('fix', ['db'], r.clock.now(), r.clock.now() + HOUR)] });
  // The file changed: the service re-reads it.
  services[0]!.onConfig(r.monitor.config());
  await r.deliver();
  assert.match(texts()[1]!, /^🔧 Maintenance <b>fix<\/b> started/);
  await r.clock.advance(30 * MIN);
  await r.alerts.idle();
  assert.equal(texts().length, 2, 'no reminder during maintenance');
  dbTarget.status = 200;
  await r.check('db');
  await r.deliver();
  assert.match(texts()[2]!, /^✅ <b>db<\/b> is back up after 30 min/, 'recovery is never suppressed');
  await r.clock.advance(30 * MIN);
  await r.deliver();
  assert.equal(texts().length, 4);
  assert.match(texts()[3]!, /^🏁 Maintenance <b>fix<\/b> ended\n/);
  assert.doesNotMatch(texts()[3]!, /back up/, 'the recovery is not told twice');
});

test('POST /maintenance needs a token; GET lists it; the entity shows it; DELETE ends it early and says so', async () => {
  const { r, m } = await setUp((now) => [once('planned', ['api'], now + HOUR, now + 2 * HOUR)]);
  const api = await serve(createApp({
    monitor: r.monitor, store: r.temp.store, logger: silentLogger(), clock: r.clock, maintenance: m,
    marks: (name) => ({ flapping: false, ack: null, maintenance: r.monitor.maintenanceOf(name) }),
    configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }),
  }).callback());
  servers.push(api);
  const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) => fetch(api.base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const window = { entities: ['db'], duration: 7200, reason: 'kernel <update>' };
  assert.equal((await call('POST', '/maintenance', window, null)).status, 401, 'without a token');
  assert.equal((await call('POST', '/maintenance', window, 'wrong-token-wrong-token-wrong')).status, 401);
  for (const [bad, message] of [
    [{ duration: 60 }, /name the entities and\/or groups/],
    [{ entities: ['dbb'], duration: 60 }, /unknown entity 'dbb' \(did you mean 'db'\?\)/],
    [{ groups: ['payments'], duration: 60 }, /no entity is in group 'payments'/],
    [{ entities: ['db'], duration: -1 }, /duration must be a number of seconds/],
    [{ entities: ['db'], duration: 60, until: 'later' }, /unknown field 'until'/],
    [[1, 2], /the body must be a JSON object/],
  ] as const) {
    const res = await call('POST', '/maintenance', bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.match(((await res.json()) as { error: string }).error, message);
  }

  const res = await call('POST', '/maintenance', window);
  assert.equal(res.status, 201);
  const doc = (await res.json()) as { id: string; start: string; end: string; open: boolean; by: string; covers: string[] };
  const now = r.clock.now();
  assert.deepEqual({ start: doc.start, end: doc.end, open: doc.open, by: doc.by, covers: doc.covers },
    { start: new Date(now).toISOString(), end: new Date(now + 2 * HOUR).toISOString(), open: true, by: 'api_token', covers: ['db', 'api'] });
  assert.deepEqual(Object.keys(doc).sort(), ['by', 'covers', 'end', 'entities', 'groups', 'id', 'name', 'open', 'reason', 'schedule', 'source', 'start']);
  await r.deliver();
  const entity = (await (await api.get('/entities/db')).json()) as { status: string; maintenance: unknown };
  assert.equal(entity.status, 'maintenance');
  assert.deepEqual(entity.maintenance, { name: 'ad hoc', until: doc.end });

  const list = (await (await api.get('/maintenance')).json()) as { id: string; source: string; open: boolean }[];
  assert.deepEqual(list.map((w) => [w.id, w.source, w.open]), [['planned', 'config', false], [doc.id, 'api', true]]);

  assert.equal((await call('DELETE', `/maintenance/${doc.id}`, undefined, null)).status, 401);
  assert.equal((await call('DELETE', '/maintenance/planned')).status, 409, 'the file\'s windows are changed in the file');
  assert.equal((await call('DELETE', '/maintenance/nope')).status, 404);
  assert.equal((await call('DELETE', `/maintenance/${doc.id}`)).status, 204);
  assert.equal(r.monitor.state('db')!.status, 'unknown', 'back to what its checks say (none yet)');
  await r.deliver();
  assert.equal(texts().length, 2);
  assert.match(texts()[0]!, /^🔧 Maintenance <b>ad hoc<\/b> started\nkernel &lt;update&gt;\nCovers: db, api/);
  assert.match(texts()[1]!, /^🏁 Maintenance <b>ad hoc<\/b> ended early \(by api_token\)/);
  assert.equal(((await (await api.get('/maintenance')).json()) as unknown[]).length, 1);
});

test('a recurring window at 03:00 Europe/Berlin opens at 02:00 UTC in winter and 01:00 UTC after the spring change', async () => {
  const { createMonitor } = await import('../../src/monitor/monitor.ts');
  const { fakeClock } = await import('../helpers/clock.ts');
  const { configOf } = await import('../helpers/entities.ts');
  const { tempStore } = await import('../alerts/helpers.ts');
  const clock = fakeClock(Date.UTC(2026, 2, 27, 12));
  const temp = await tempStore();
  const nightly: MaintenanceWindow = {
    id: 'nightly', name: 'nightly', entities: ['db'], groups: [], reason: null, source: 'config', by: null,
    schedule: { kind: 'cron', cron: '0 3 * * *', duration: HOUR, timezone: 'Europe/Berlin' },
  };
  const config = configOf([apiEntity('db', 'http://127.0.0.1:9/')], { maintenance: [nightly] });
  const monitor = createMonitor({ config, store: temp.store, clock, runCheck: async () => ({ ok: true, degraded: false, latency_ms: 1, message: 'ok', extra: {} }) });
  const m = createMaintenance({ monitor, store: temp.store, clock });
  const seen: string[] = [];
  m.listen((c) => seen.push(`${c.phase} ${new Date(c.at).toISOString()}`));
  await m.start();
  await clock.advance(3 * 24 * HOUR);
  m.close();
  await temp.store.close();
  temp.remove();
  assert.deepEqual(seen, [
    'start 2026-03-28T02:00:00.000Z', 'end 2026-03-28T03:00:00.000Z',
    'start 2026-03-29T01:00:00.000Z', 'end 2026-03-29T02:00:00.000Z',
    'start 2026-03-30T01:00:00.000Z', 'end 2026-03-30T02:00:00.000Z',
  ]);
});

test('a restart inside a window continues it (no second status change, no second message); one that ended while stopped is left at the start', async () => {
  const windows = (now: number) => [once('db-upgrade', ['db'], now + MIN, now + HOUR)];
  const temp = await tempStore();
  await temp.store.close();
  const run = async (later: number) => {
    const store = await temp.reopen();
    const { r, m } = await setUp((now) => windows(now - later), { temp: { ...temp, store }, dbTarget: shared.db, apiTarget: shared.api, later });
    return { r, m, stop: async () => { m.close(); await r.close(); } };
  };
  const shared = { db: await startTarget(503, 'down'), api: await startTarget(200, 'ok') };
  targets.push(shared.db, shared.api);
  try {
    // First run: db fails (announced: the window has not opened), then the window opens.
    let { r, stop } = await run(MIN);
    await r.check('db');
    await r.deliver();
    assert.equal(r.monitor.state('db')!.status, 'maintenance');
    await stop();
    // Second run, still inside: no new status change, no message.
    ({ r, stop } = await run(30 * MIN));
    await r.check('db');
    await r.deliver();
    assert.equal(r.monitor.state('db')!.status, 'maintenance');
    await stop();
    // Third run, after the end: db leaves maintenance at the start and is announced.
    ({ r, stop } = await run(2 * HOUR));
    await r.check('db');
    await r.deliver();
    assert.equal(r.monitor.state('db')!.status, 'error');
    const transitions = await r.temp.store.transitions('db', 10);
    assert.deepEqual(transitions.map((t) => `${t.from}>${t.to}`), ['maintenance>error', 'error>maintenance', 'unknown>error']);
    await stop();
    const starts = texts().filter((t) => t.includes('Maintenance <b>db-upgrade</b> started'));
    assert.equal(starts.length, 1, 'the opening is announced once across restarts');
    assert.equal(texts().filter((t) => /<b>db<\/b> is down/.test(t)).length, 1, 'announced before the window, not again after it');
  } finally {
    temp.remove();
  }
});
