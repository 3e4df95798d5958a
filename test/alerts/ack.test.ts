// Acknowledgement: reminders stop for the acknowledged incident and come back for the next one;
// the API takes the ack (with a token only), shows it in the entity document and withdraws it.
// Real target, monitor, policy, outbox, the real Telegram client against the fake Bot API, and
// the real HTTP server.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from '../../src/server/app.ts';
import { silentLogger } from '../../src/log.ts';
import { buildAuth } from '../../src/auth/config.ts';
import { apiEntity } from '../helpers/entities.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig } from './helpers.ts';
import { startRig } from './rig.ts';
import type { Rig } from './rig.ts';

let fake: FakeTelegram;
const targets: Target[] = [];
const rigs: Rig[] = [];
const servers: Served[] = [];
before(async () => { fake = await startFakeTelegram(); });
after(() => fake.close());
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
  fake.requests.length = 0;
});

const headlines = (): string[] => fake.delivered().map((r) => r.params.text!.split('\n')[0]!);
const TOKEN = 'ack-test-api-token-0123456789';

async function setUp(): Promise<{ t: Target; r: Rig }> {
  const t = await startTarget(200, 'ok');
  targets.push(t);
  const r = await startRig([apiEntity('shop', t.url, [], { failure_threshold: 1, interval: 3600, timeout: 5 })],
    { telegram: telegramConfig(fake.apiRoot), reminder: 600 });
  rigs.push(r);
  return { t, r };
}

test('reminders stop after an ack and start again for the next incident', async () => {
  const { t, r } = await setUp();
  t.status = 503;
  await r.check('shop');
  await r.deliver();
  await r.clock.advance(600_000);
  await r.alerts.idle();
  assert.deepEqual(headlines(), ['🔴 <b>shop</b> is down', '🔁 <b>shop</b> is still down (for 10 min)']);

  const ack = await r.alerts.acknowledge('shop', { by: 'alice', at: r.clock.now(), comment: 'on it', until: null });
  assert.deepEqual(ack, { by: 'alice', at: r.clock.now(), comment: 'on it', until: null });
  await r.clock.advance(3 * 3_600_000);
  await r.alerts.idle();
  assert.equal(headlines().length, 2, 'no reminder for three hours');

  t.status = 200;
  await r.check('shop');
  await r.deliver();
  assert.match(headlines()[2]!, /is back up/, 'the recovery is still told');
  assert.equal(r.alerts.ackOf('shop'), null, 'recovery clears the ack');

  t.status = 503;
  await r.check('shop');
  await r.deliver();
  await r.clock.advance(600_000);
  await r.alerts.idle();
  assert.deepEqual(headlines().slice(3), ['🔴 <b>shop</b> is down', '🔁 <b>shop</b> is still down (for 10 min)'], 'the next incident reminds again');
});

test('an ack with a duration: reminders resume when it ends', async () => {
  const { t, r } = await setUp();
  t.status = 503;
  await r.check('shop');
  await r.deliver();
  await r.alerts.acknowledge('shop', { by: 'bob', at: r.clock.now(), comment: null, until: r.clock.now() + 1_800_000 });
  await r.clock.advance(1_799_000);
  await r.alerts.idle();
  assert.equal(headlines().length, 1);
  await r.clock.advance(1_000);
  await r.alerts.idle();
  assert.deepEqual(headlines(), ['🔴 <b>shop</b> is down', '🔁 <b>shop</b> is still down (for 30 min)']);
});

test('POST and DELETE /entities/:name/ack: the token is needed, only an announced incident can be acknowledged, the document shows it', async () => {
  const { t, r } = await setUp();
  r.monitor.apply({ ...r.monitor.config(), api_token: TOKEN, auth: buildAuth(undefined, TOKEN) });
  const api = await serve(createApp({
    monitor: r.monitor, store: r.temp.store, logger: silentLogger(), clock: r.clock, acks: r.alerts,
    marks: (name) => ({ flapping: false, ack: r.alerts.ackOf(name) }),
    configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }),
  }).callback());
  servers.push(api);
  const post = (path: string, body: unknown, token: string | null = TOKEN, method = 'POST') => fetch(api.base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  assert.equal((await post('/entities/shop/ack', {}, null)).status, 401, 'without a token');
  assert.equal((await post('/entities/shop/ack', {}, 'wrong-token-wrong-token-wrong')).status, 401);
  const early = await post('/entities/shop/ack', {});
  assert.equal(early.status, 409, 'nothing announced yet');
  assert.match(((await early.json()) as { error: string }).error, /no open incident/);
  assert.equal((await post('/entities/nope/ack', {})).status, 404);

  t.status = 503;
  await r.check('shop');
  await r.deliver();
  assert.equal((await post('/entities/shop/ack', { duration: -5 })).status, 400);
  assert.equal((await post('/entities/shop/ack', { comment: 42 })).status, 400);
  const at = new Date(r.clock.now()).toISOString();
  const ok = await post('/entities/shop/ack', { comment: 'restarting <db>', duration: 3600 });
  assert.equal(ok.status, 200);
  const doc = (await ok.json()) as { status: string; ack: unknown };
  assert.equal(doc.status, 'error');
  assert.deepEqual(doc.ack, { by: 'api_token', at, comment: 'restarting <db>', until: new Date(r.clock.now() + 3_600_000).toISOString() });
  assert.deepEqual(((await (await api.get('/entities/shop')).json()) as { ack: unknown }).ack, doc.ack);

  assert.equal((await post('/entities/shop/ack', undefined, null, 'DELETE')).status, 401);
  const gone = await post('/entities/shop/ack', undefined, TOKEN, 'DELETE');
  assert.equal(gone.status, 200);
  assert.equal(((await gone.json()) as { ack: unknown }).ack, null);
});
