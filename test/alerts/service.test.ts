// The alert pipeline end to end: real checks against real targets, the monitor's transitions,
// the policy, the outbox and the real Telegram client talking to the fake Bot API.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { TOKEN, telegramConfig, waitUntil, useFakeTelegramAndReceiver } from './helpers.ts';
import type { Receiver } from './helpers.ts';
import { DB_PASSWORD, databaseEntity, startPgProxy, startRig } from './rig.ts';
import type { PgProxy, Rig } from './rig.ts';

let fake: FakeTelegram;
let receiver: Receiver;
let proxy: PgProxy;
const targets: Target[] = [];
const rigs: Rig[] = [];

before(async () => { proxy = await startPgProxy(); });
after(() => proxy.down());
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
  await proxy.up();
});
useFakeTelegramAndReceiver((f, r) => { fake = f; receiver = r; });

async function target(): Promise<Target> {
  const t = await startTarget(200, 'ok');
  targets.push(t);
  return t;
}
const api = (name: string, t: Target, deps: string[] = []) =>
  apiEntity(name, t.url, deps, { failure_threshold: 1, interval: 3600, timeout: 5 });
const sent = (): string[] => fake.delivered().map((r) => r.params.text!);
const telegram = () => ({ telegram: telegramConfig(fake.apiRoot) });

test('a database with three dependents goes down: one message naming it and all three; recovery: one message', async () => {
  const t = await Promise.all([target(), target(), target()]);
  const entities = [databaseEntity('fold_db', proxy.port), ...t.map((x, i) => api(`api${i + 1}`, x, ['fold_db']))];
  const r = await startRig(entities, { ...telegram(), webhook: { url: receiver.url, headers: { 'X-Secret': 'hook-secret-1' } } });
  rigs.push(r);
  await r.check('fold_db', 'api1', 'api2', 'api3');
  await r.deliver();
  assert.deepEqual(sent(), [], 'coming up says nothing');

  await proxy.down();
  for (const x of t) x.status = 503;
  await r.check('fold_db');
  await r.check('api1', 'api2', 'api3');
  assert.deepEqual(r.monitor.list().map((e) => e.state.status), ['error', 'blocked', 'blocked', 'blocked']);
  await r.deliver();
  assert.equal(sent().length, 1);
  assert.match(sent()[0]!, /^🔴 <b>fold_db<\/b> is down\nconnection refused\nImpacted: api1, api2, api3\nSince 2026-11-21 06:00 UTC\n<a href="https:\/\/status.example.com#fold_db">Open on the map<\/a>$/);
  assert.deepEqual(receiver.requests.map((q) => JSON.parse(q.body)).map((d) => [d.event, d.entity, d.impacted]), [['down', 'fold_db', ['api1', 'api2', 'api3']]]);
  assert.equal(receiver.requests[0]!.headers['x-secret'], 'hook-secret-1');

  await r.check('api1', 'api2', 'api3', 'fold_db');
  await r.clock.advance(60_000);
  await r.alerts.idle();
  assert.equal(sent().length, 1, 'still down: nothing more');

  await proxy.up();
  for (const x of t) x.status = 200;
  await r.check('fold_db');
  // The dependents' stale failures are re-checked at once and pass: they say nothing.
  await waitUntil(() => r.monitor.list().every((e) => e.state.status === 'ok'), 'everything ok');
  await r.deliver();
  assert.equal(sent().length, 2);
  assert.match(sent()[1]!, /^✅ <b>fold_db<\/b> is back up after 1 min\nDown since 2026-11-21 06:00 UTC\n<a href=/);
  assert.deepEqual(receiver.requests.map((q) => JSON.parse(q.body).event), ['down', 'recovered']);

  const everything = [...fake.requests.map((q) => JSON.stringify(q.params)), ...receiver.requests.map((q) => q.body), ...r.lines,
    JSON.stringify(await r.alerts.health())];
  for (const text of everything) {
    assert.ok(!text.includes(TOKEN) && !text.includes(DB_PASSWORD), `a secret leaked: ${text}`);
  }
});

test('an api alone goes down and recovers: its message, then its recovery', async () => {
  const t = await target();
  const r = await startRig([api('shop', t)], telegram());
  rigs.push(r);
  t.status = 503;
  await r.check('shop');
  await r.deliver();
  t.status = 200;
  await r.clock.advance(90_000);
  await r.check('shop');
  await r.deliver();
  assert.equal(sent().length, 2);
  assert.match(sent()[0]!, /^🔴 <b>shop<\/b> is down\nexpected .*503/);
  assert.match(sent()[1]!, /^✅ <b>shop<\/b> is back up after 1 min\n/);
});

test('a cascade of ten roots within 2 s is one message; a later one is another', async () => {
  const t = await target();
  const names = Array.from({ length: 10 }, (_, i) => `root${i}`);
  const r = await startRig([...names.map((n) => api(n, t)), api('late', t)], telegram());
  rigs.push(r);
  t.status = 500;
  for (const name of names) {
    await r.check(name);
    await r.clock.advance(150);
  }
  await r.deliver();
  assert.equal(sent().length, 1);
  assert.deepEqual(sent()[0]!.match(/<b>root\d<\/b> is down/g), names.map((n) => `<b>${n}</b> is down`));
  await r.check('late');
  await r.deliver();
  assert.equal(sent().length, 2);
  assert.match(sent()[1]!, /^🔴 <b>late<\/b> is down/);
});

test('a failure confirmed just as the batch window closes goes out in that window, not two seconds later', async () => {
  const t = await target();
  const shop = apiEntity('shop', t.url, [], { failure_threshold: 3, interval: 3600, retry_interval: 3600, timeout: 5 });
  const r = await startRig([shop], telegram());
  rigs.push(r);
  t.status = 503;
  await r.check('shop'); // ok -> pending opens the window
  await r.clock.advance(1000);
  await r.check('shop');
  await r.clock.advance(1000); // the window ends with shop still pending: it waits once
  await r.alerts.idle();
  assert.equal(sent().length, 0);
  await r.check('shop'); // confirmed at +2 s
  await r.clock.advance(500);
  await r.alerts.idle();
  assert.equal(sent().length, 1, 'sent at +2.5 s, not in a new window at +4 s');
  assert.match(sent()[0]!, /^🔴 <b>shop<\/b> is down/);
});

test('a window that only holds failures nobody confirms closes after its short wait', async () => {
  const t = await target();
  const shop = apiEntity('shop', t.url, [], { failure_threshold: 3, interval: 3600, retry_interval: 3600, timeout: 5 });
  const other = api('other', t);
  const r = await startRig([shop, other], telegram());
  rigs.push(r);
  t.status = 503;
  await r.check('shop');
  await r.clock.advance(1000);
  await r.check('other'); // an error in the same window
  await r.clock.advance(1000);
  await r.alerts.idle();
  assert.equal(sent().length, 0, 'at +2 s the window waits for shop');
  await r.clock.advance(500);
  await r.alerts.idle();
  assert.equal(sent().length, 1, 'then it goes out with other, only once');
  assert.match(sent()[0]!, /^🔴 <b>other<\/b> is down/);
});

test('a dependent still failing after its root recovers gets its own message, then its recovery', async () => {
  const t = await target();
  const r = await startRig([databaseEntity('db', proxy.port), api('app', t, ['db'])], telegram());
  rigs.push(r);
  await proxy.down();
  t.status = 503;
  await r.check('db');
  await r.check('app');
  await r.deliver();
  await proxy.up();
  await r.check('db');
  await waitUntil(async () => { await r.alerts.idle(); return r.monitor.state('app')!.consecutive_failures >= 2; }, 'the fresh check of app');
  await r.deliver();
  assert.equal(sent().length, 2);
  assert.match(sent()[0]!, /^🔴 <b>db<\/b> is down\n.*\nImpacted: app\n/);
  assert.match(sent()[1]!, /^✅ <b>db<\/b> is back up .*\n(.*\n)*\n🔴 <b>app<\/b> is down\nexpected .*503/);
  t.status = 200;
  await r.check('app');
  await r.deliver();
  assert.equal(sent().length, 3);
  assert.match(sent()[2]!, /^✅ <b>app<\/b> is back up/);
});

test('reminders every notify.reminder seconds while down, none after recovery', async () => {
  const t = await target();
  const r = await startRig([api('shop', t)], { ...telegram(), reminder: 600 });
  rigs.push(r);
  t.status = 503;
  await r.check('shop');
  await r.deliver();
  await r.clock.advance(600_000);
  await r.alerts.idle();
  await r.clock.advance(600_000);
  await r.alerts.idle();
  assert.deepEqual(sent().map((s) => s.split('\n')[0]), ['🔴 <b>shop</b> is down', '🔁 <b>shop</b> is still down (for 10 min)', '🔁 <b>shop</b> is still down (for 20 min)']);
  t.status = 200;
  await r.check('shop');
  await r.deliver();
  await r.clock.advance(1_800_000);
  await r.alerts.idle();
  assert.equal(sent().length, 4);
  assert.match(sent()[3]!, /is back up after 20 min/);
});

test('a channel added by a reload gets what happens next, not what was sent before; a removed one stops', async () => {
  const t = await target();
  const r = await startRig([api('shop', t)], telegram());
  rigs.push(r);
  t.status = 503;
  await r.check('shop');
  await r.deliver();
  const config = r.monitor.config();
  const webhookChannel = { name: 'webhook', type: 'webhook' as const, config: { url: receiver.url, headers: {} } };
  r.monitor.apply({ ...config, notify: { ...config.notify, channels: [...config.notify.channels, webhookChannel] } });
  await r.alerts.idle();
  assert.equal(receiver.requests.length, 0);
  t.status = 200;
  await r.check('shop');
  await r.deliver();
  assert.deepEqual(receiver.requests.map((q) => JSON.parse(q.body).event), ['recovered']);
  r.monitor.apply({ ...config, notify: { ...config.notify, channels: [webhookChannel] } });
  t.status = 503;
  await r.check('shop');
  await r.deliver();
  assert.equal(sent().length, 2, 'telegram no longer configured');
  assert.deepEqual(receiver.requests.map((q) => JSON.parse(q.body).event), ['recovered', 'down']);
});

test('config errors: one message without secrets, once until fixed, then one when fixed; /health shows the outbox', async () => {
  const t = await target();
  const r = await startRig([api('shop', t), databaseEntity('db', proxy.port)], telegram());
  rigs.push(r);
  r.alerts.configRejected([`entities.yaml:12:7: /entities/db/url: postgres://u:${DB_PASSWORD}@h/db is not <valid>`]);
  await r.alerts.idle();
  r.alerts.configRejected(['entities.yaml:3:1: something else']);
  await r.alerts.idle();
  r.alerts.configFixed(r.monitor.config());
  await r.alerts.idle();
  assert.deepEqual(sent(), [
    '⚠️ <b>config invalid</b>\nentities.yaml:12:7: /entities/db/url: postgres://u:***@h/db is not &lt;valid&gt;\nThe last good configuration keeps running.',
    '✅ <b>config fixed</b>: 2 entities loaded',
  ]);
  assert.deepEqual(await r.alerts.health(), { alerts: { channels: ['telegram'], outbox_depth: 0, waiting: 0, last_error: null } });
  await fake.refuse();
  try {
    t.status = 503;
    await r.check('shop');
    await r.deliver();
    const health = (await r.alerts.health()) as { alerts: { outbox_depth: number; last_error: { channel: string; error: string } } };
    assert.equal(health.alerts.outbox_depth, 1);
    assert.equal(health.alerts.last_error.channel, 'telegram');
    assert.match(health.alerts.last_error.error, /ECONNREFUSED/);
  } finally {
    await fake.accept();
  }
});
