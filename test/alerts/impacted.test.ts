// A root cause's message is completed, not repeated: dependents confirmed blocked after it went
// out are added by editing the Telegram message (real client, fake Bot API) and by an `impacted`
// webhook event with the same incident; the recovery reaches all of them.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig, useFakeTelegramAndReceiver } from './helpers.ts';
import type { Receiver } from './helpers.ts';
import { startRig } from './rig.ts';
import type { Rig } from './rig.ts';
import { EMPTY_BOOKKEEPING, IMPACTED_WINDOW_MS, decide } from '../../src/alerts/policy.ts';
import type { Bookkeeping, PolicyView, Trigger } from '../../src/alerts/policy.ts';
import type { AlertItem } from '../../src/alerts/alert.ts';
import { firstFollowUpOnly } from '../../src/alerts/alert.ts';
import { createEmailChannel } from '../../src/alerts/email.ts';
import { outboxMessages } from '../../src/alerts/triggers.ts';
import { createTelegramChannel } from '../../src/alerts/telegram.ts';
import { initialState } from '../../src/monitor/state.ts';
import type { EmailConfig, EntityState, Status } from '../../src/types.ts';

let fake: FakeTelegram;
let receiver: Receiver;
const targets: Target[] = [];
const rigs: Rig[] = [];

afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
});
useFakeTelegramAndReceiver((f, r) => { fake = f; receiver = r; });

async function target(): Promise<Target> {
  const t = await startTarget(200, 'ok');
  targets.push(t);
  return t;
}
const api = (name: string, t: Target, deps: string[] = []) =>
  apiEntity(name, t.url, deps, { failure_threshold: 1, interval: 3600, timeout: 5 });
const ok = (method: string) => fake.requests.filter((r) => r.method === method && r.answer === 'ok');

test('a root with five dependents that confirm one by one: one Telegram message, edited until it names all five', async () => {
  const root = await target();
  const deps = await Promise.all([1, 2, 3, 4, 5].map(() => target()));
  const names = deps.map((_, i) => `d${i + 1}`);
  const r = await startRig([api('core', root), ...deps.map((t, i) => api(names[i]!, t, ['core']))], {
    telegram: telegramConfig(fake.apiRoot), webhook: { url: receiver.url, headers: {} },
  });
  rigs.push(r);
  await r.check('core', ...names);
  await r.deliver();

  root.status = 503;
  for (const t of deps) t.status = 503;
  await r.check('core');
  await r.deliver();
  assert.equal(ok('sendMessage').length, 1);
  const first = ok('sendMessage')[0]!;
  assert.match(first.params.text!, /^🔴 <b>core<\/b> is down\nexpected .*503/);
  assert.doesNotMatch(first.params.text!, /Impacted/);
  const messageId = 1; // the fake numbers messages from 1

  for (let n = 1; n <= 5; n++) {
    await r.clock.advance(10_000);
    await r.check(names[n - 1]!);
    assert.equal(r.monitor.list().find((e) => e.state.name === names[n - 1])!.state.status, 'blocked');
    await r.deliver();
    assert.equal(ok('sendMessage').length, 1, `still one message after ${n} dependents`);
    const edits = ok('editMessageText');
    assert.equal(edits.length, n, `one edit per newly impacted dependent (${n})`);
    const edit = edits[n - 1]!;
    assert.equal(edit.params.message_id, String(messageId));
    assert.equal(edit.params.chat_id, '-1001234567890');
    assert.equal(edit.params.parse_mode, 'HTML');
    assert.match(edit.params.text!, new RegExp(`^🔴 <b>core</b> is down\\nexpected .*503.*\\nImpacted: ${names.slice(0, n).join(', ')}\\nSince `));
  }

  // Webhooks: the down, then one `impacted` event per update, all with the down's incident id.
  const docs = receiver.requests.map((q) => JSON.parse(q.body) as { event: string; entity: string; impacted: string[]; incident: string });
  assert.deepEqual(docs.map((d) => [d.event, d.entity, d.impacted.length]), [
    ['down', 'core', 0], ...[1, 2, 3, 4, 5].map((n) => ['impacted', 'core', n]),
  ]);
  assert.equal(new Set(docs.map((d) => d.incident)).size, 1);
  // The failure began with the check after the first delivery window, at 06:00:02.
  assert.equal(docs[0]!.incident, 'core@2026-11-21T06:00:02.000Z');

  // The recovery: one new message, never a second "down".
  root.status = 200;
  for (const t of deps) t.status = 200;
  await r.clock.advance(10_000);
  await r.check('core');
  await r.check(...names);
  await r.deliver();
  assert.equal(ok('sendMessage').length, 2);
  assert.match(ok('sendMessage')[1]!.params.text!, /^✅ <b>core<\/b> is back up/);
  assert.equal(ok('sendMessage').filter((m) => / is down/.test(m.params.text!)).length, 1);
});

test('dependents confirmed after the window (10 minutes after the failure began) are left to reminders', async () => {
  const root = await target();
  const dep = await target();
  const r = await startRig([api('core', root), api('late', dep, ['core'])], { telegram: telegramConfig(fake.apiRoot) });
  rigs.push(r);
  await r.check('core', 'late');
  await r.deliver();
  root.status = 503;
  dep.status = 503;
  await r.check('core');
  await r.deliver();
  await r.clock.advance(11 * 60_000);
  await r.check('late');
  await r.deliver();
  assert.equal(ok('sendMessage').length, 1);
  assert.equal(ok('editMessageText').length, 0);
});

// The policy's side, and what each channel makes of an update.
const T0 = Date.UTC(2026, 10, 21, 6, 0, 0);
const state = (name: string, status: Status, blockedBy: string | null = null): EntityState =>
  ({ ...initialState(name), status, since: T0, message: `${name} says no`, blocked_by: blockedBy });
const blocked = (name: string, at: number): Trigger =>
  ({ kind: 'transition', transition: { name, from: 'pending', to: 'blocked', at, message: 'x', blocked_by: 'db', prev_since: at } });
const told: Bookkeeping = { ...EMPTY_BOOKKEEPING, announced: { db: { since: T0, reminded_at: T0 + 5_000, key: `db:down:${T0 + 5_000}`, impacted: ['a'] } } };
const states = [state('db', 'error'), state('a', 'blocked', 'db'), state('b', 'blocked', 'db'), state('c', 'blocked', 'db'), state('d', 'pending')];
const view: PolicyView = { states, public_url: null, degraded: false };

test('policy: dependents confirmed in one batch make one update naming all impacted so far, numbered as the first', () => {
  const { items, bookkeeping } = decide(told, [blocked('b', T0 + 20_000), blocked('c', T0 + 21_000)], view);
  assert.deepEqual(items.map((i) => [i.event, i.entity, i.impacted, i.update]), [
    ['impacted', 'db', ['a', 'b', 'c'], { down_key: `db:down:${T0 + 5_000}`, number: 1 }],
  ]);
  assert.deepEqual(bookkeeping.announced.db!.impacted, ['a', 'b', 'c']);
  // Nothing new: no update; a second down is never made.
  const again = decide(bookkeeping, [blocked('c', T0 + 30_000)], view);
  assert.deepEqual(again.items, []);
});

test('policy: no update past the window, nor for a root nobody was told about', () => {
  assert.deepEqual(decide(told, [blocked('b', T0 + IMPACTED_WINDOW_MS + 1)], view).items, []);
  assert.deepEqual(decide(EMPTY_BOOKKEEPING, [blocked('b', T0 + 20_000)], view).items, []);
});

const update = (number: number): AlertItem => ({
  event: 'impacted', entity: 'db', status: 'error', message: 'refused', impacted: ['a', 'b'], at: T0 + 20_000, since: T0,
  days: null, url: null, key: `db:impacted:${T0}:${number}`, update: { down_key: `db:down:${T0 + 5_000}`, number },
});

test('email and the chat channels that do not edit: at most one follow-up per root cause (its first update)', () => {
  const channel = createEmailChannel({ host: '127.0.0.1', port: 9, to: ['ops@example.com'] } as unknown as EmailConfig, { title: 't' });
  const queued = (items: AlertItem[]) => outboxMessages(items, () => ['email'], [channel], T0).map((m) => m.key);
  assert.deepEqual(queued([update(1)]), [`db:impacted:${T0}:1:email`]);
  assert.deepEqual(queued([update(2)]), []);
  const other: AlertItem = { ...update(1), event: 'down', key: 'x:down:1', entity: 'x' };
  assert.deepEqual(firstFollowUpOnly({ key: 'k3', items: [other, update(3)] })?.items, [other]);
  assert.equal(firstFollowUpOnly({ key: 'k4', items: [update(2), update(3)] }), null);
});

test('telegram: an update whose message this process did not send (after a restart) goes out once as its own message, later ones edit it', async () => {
  const channel = createTelegramChannel(telegramConfig(fake.apiRoot));
  const memo = new Map<string, unknown>();
  const [first] = channel.envelopes({ key: 'k1', items: [update(1)] });
  await channel.send(first!.payload, AbortSignal.timeout(10_000), memo);
  assert.equal(ok('sendMessage').length, 1);
  assert.match(ok('sendMessage')[0]!.params.text!, /^🔴 <b>db<\/b> is down: more entities impacted\nrefused\nImpacted: a, b\n/);
  const [second] = channel.envelopes({ key: 'k2', items: [{ ...update(2), impacted: ['a', 'b', 'c'] }] });
  await channel.send(second!.payload, AbortSignal.timeout(10_000), memo);
  assert.equal(ok('sendMessage').length, 1);
  assert.match(ok('editMessageText')[0]!.params.text!, /\nImpacted: a, b, c\n/);
});
