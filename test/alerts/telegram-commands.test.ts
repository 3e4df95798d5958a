// Telegram chat-ops: the real node-telegram-bot-api client long-polls the fake Bot API server on
// 127.0.0.1; getUpdates answers with queued messages. Commands act on a real monitor, alert
// service and maintenance windows; a command from another chat is ignored.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMaintenance } from '../../src/maintenance/service.ts';
import { createChatOps, parseDuration, startTelegramCommands } from '../../src/alerts/telegram-commands.ts';
import type { CommandTarget } from '../../src/alerts/telegram-commands.ts';
import { apiEntity, configOf } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig } from './helpers.ts';
import { startRig } from './rig.ts';
import type { Rig } from './rig.ts';

const CHAT = -1001234567890;
let fake: FakeTelegram;
const targets: Target[] = [];
const rigs: Rig[] = [];
const closers: (() => Promise<void> | void)[] = [];
before(async () => { fake = await startFakeTelegram(); });
after(() => fake.close());
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
  fake.requests.length = 0;
});

/** Replies to commands (alerts carry no reply_parameters), in order. */
const replies = (): string[] => fake.delivered().filter((r) => r.params.reply_parameters !== undefined).map((r) => r.params.text!);

async function waitForReplies(n: number): Promise<string[]> {
  await fake.waitFor(() => replies().length >= n, `${n} replies`);
  return replies();
}

async function setUp() {
  const dbTarget = await startTarget(200, 'ok');
  const apiTarget = await startTarget(200, 'ok');
  targets.push(dbTarget, apiTarget);
  const opts = { failure_threshold: 1, interval: 24 * 3600, timeout: 5 };
  const r = await startRig([apiEntity('db', dbTarget.url, [], { ...opts, group: 'data' }), apiEntity('api', apiTarget.url, ['db'], opts)],
    { telegram: telegramConfig(fake.apiRoot, { commands: true }) });
  rigs.push(r);
  const m = createMaintenance({ monitor: r.monitor, store: r.temp.store, clock: r.clock });
  m.listen((c) => r.alerts.maintenanceChanged(c));
  await m.start();
  closers.push(() => m.close());
  const target: CommandTarget = {
    config: () => r.monitor.config(),
    states: () => r.monitor.list().map((e) => e.state),
    acknowledge: (name, ack) => r.alerts.acknowledge(name, ack),
    silence: async (scope, seconds, reason, by) => {
      const w = await m.add({ ...scope, duration: seconds, reason, name: 'silence' }, by);
      return { id: w.id, end: (w.schedule as { end: number }).end };
    },
    now: () => r.clock.now(),
  };
  return { dbTarget, apiTarget, r, m, target };
}

test('commands from the configured chat are answered; /status, /ack and /silence act; another chat is ignored', async () => {
  const { dbTarget, apiTarget, r, target } = await setUp();
  const commands = startTelegramCommands({ config: r.monitor.config().notify.channels[0]!.config as never, target, clock: r.clock, pollSeconds: 30 });
  closers.push(() => commands.close());

  await r.check('db', 'api');
  fake.pushMessage(CHAT, '/status');
  let got = await waitForReplies(1);
  assert.equal(got[0], '<b>2 entities</b>: 2 ok\nNo root cause: nothing is down.');

  dbTarget.status = 503;
  apiTarget.status = 503;
  await r.check('db');
  await r.check('api');
  await r.deliver();
  fake.pushMessage(-42, '/ack db from a stranger', { id: 666, username: 'mallory' });
  fake.pushMessage(CHAT, '/status@pulsemap_bot');
  got = await waitForReplies(2);
  assert.match(got[1]!, /^<b>2 entities<\/b>: 1 error · 1 blocked\n\n<b>Root causes<\/b>\n🔴 <b>db<\/b> for 2 s, blocking 1: expected status 2xx, got 503$/);
  assert.equal(r.alerts.ackOf('db'), null, 'the stranger\'s /ack did nothing');
  assert.ok(fake.requests.filter((q) => q.method === 'sendMessage').every((q) => q.params.chat_id === String(CHAT)), 'nothing was sent to the other chat');

  fake.pushMessage(CHAT, '/ack db restarting <pool>');
  got = await waitForReplies(3);
  assert.equal(got[2], 'Acknowledged <b>db</b> (by @ana): no reminders until it recovers.');
  assert.deepEqual(r.alerts.ackOf('db'), { by: '@ana', at: r.clock.now(), comment: 'restarting <pool>', until: null });

  fake.pushMessage(CHAT, '/ack api');
  fake.pushMessage(CHAT, '/silence data 2h');
  fake.pushMessage(CHAT, '/silence nowhere 2h');
  fake.pushMessage(CHAT, '/silence db soon');
  fake.pushMessage(CHAT, '/reboot');
  got = await waitForReplies(8);
  assert.equal(got[3], '<b>api</b> has no open incident to acknowledge.');
  assert.match(got[4]!, /^Silenced <b>data<\/b> until 2026-11-21 08:00 UTC: a maintenance window \(id [0-9a-f-]{36}\), still checked, no alerts\.$/);
  assert.equal(got[5], 'Cannot silence <b>nowhere</b>: no entity is in group \'nowhere\'');
  assert.equal(got[6], 'Usage: /silence NAME|group DURATION, for example /silence payments 2h (at most 30 days)');
  assert.match(got[7]!, /^Unknown command\. Commands: \/status/);
  assert.equal(r.monitor.state('db')!.status, 'maintenance', 'the silence is a maintenance window');
  assert.equal(r.monitor.state('api')!.status, 'maintenance', 'its dependents follow');
  const polls = fake.requests.filter((q) => q.method === 'getUpdates');
  assert.ok(polls.every((q) => q.params.timeout === '30' && q.token.length > 0));
  assert.deepEqual(polls.map((q) => q.params.allowed_updates), polls.map(() => '["message"]'));
});

test('off by default: no polling without commands: true; a reload turns it on and off', async () => {
  const { r, target } = await setUp();
  const ops = createChatOps(target, { clock: r.clock, pollSeconds: 30 });
  closers.push(() => ops.close());
  const off = configOf([...r.monitor.config().entities], { notify: { ...r.monitor.config().notify, channels: [{ name: 'telegram', type: 'telegram', config: telegramConfig(fake.apiRoot) }] } });
  ops.onConfig(off);
  fake.pushMessage(CHAT, '/status');
  assert.equal(ops.pollers(), 0, 'commands: false polls nothing');
  ops.onConfig(r.monitor.config());
  assert.equal(ops.pollers(), 1);
  await waitForReplies(1);
  ops.onConfig(off);
  assert.equal(ops.pollers(), 0);
  await ops.close();
  const before = fake.requests.length;
  fake.pushMessage(CHAT, '/status');
  assert.equal(fake.requests.length, before, 'once off, nothing polls');
});

test('durations', () => {
  assert.deepEqual(['90', '45s', '30m', '2h', '1d', '1h30m', 'soon', ''].map(parseDuration), [90, 45, 1800, 7200, 86400, 5400, null, null]);
});
