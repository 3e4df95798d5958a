// Alerts through a store outage, on real checks, the real alert service and the fake Bot API, with
// a store that refuses writes as a full disk does (the drills with real faults are in
// store-drills.test.ts): nothing is dropped, nothing is sent twice, and what happened meanwhile
// is told once the store is back, a down-and-up as one "down from … to …".
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { fakeClock } from '../helpers/clock.ts';
import { diskFullError, faultyStore } from '../helpers/faulty-store.ts';
import { openWatchedStore } from '../../src/store/health.ts';
import { mergeOutages } from '../../src/alerts/triggers.ts';
import type { AlertItem } from '../../src/alerts/alert.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig, tempStore } from './helpers.ts';
import { RIG_START, startRig } from './rig.ts';
import type { Rig } from './rig.ts';

let fake: FakeTelegram;
const targets: Target[] = [];
const rigs: Rig[] = [];
before(async () => { fake = await startFakeTelegram(); });
after(async () => { await fake.close(); });
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
  fake.requests.length = 0;
});

const sent = (): string[] => fake.delivered().map((r) => r.params.text!);

test('transitions during a store outage are told once after it, a down-and-up as one message; nothing twice', async () => {
  const [early, flap, steady] = await Promise.all([startTarget(), startTarget(), startTarget()]);
  targets.push(early!, flap!, steady!);
  const temp = await tempStore();
  const faulty = faultyStore(temp.store);
  const clock = fakeClock(RIG_START);
  const health = await openWatchedStore(async () => faulty.store, { clock });
  const entities = [['early', early!], ['flap', flap!], ['steady', steady!]] as const;
  const r = await startRig(
    entities.map(([name, t]) => apiEntity(name, t.url, [], { failure_threshold: 1, interval: 3600, timeout: 5 })),
    { telegram: telegramConfig(fake.apiRoot) },
    { temp: { ...temp, store: health.store }, clock, storeHealth: health },
  );
  rigs.push(r);
  await r.check('early', 'flap', 'steady');
  early!.status = 503;
  await r.check('early');
  await r.deliver();
  assert.deepEqual(sent().map((t) => t.split('\n')[0]), ['🔴 <b>early</b> is down'], 'announced before the outage');

  faulty.fail(diskFullError());
  await clock.advance(60_000);
  early!.status = 200;
  await r.check('early'); // its recovery is due while the store refuses it
  flap!.status = 503;
  await r.check('flap');
  await r.deliver();
  await clock.advance(120_000);
  flap!.status = 200;
  await r.check('flap'); // down and up again inside the outage
  steady!.status = 503;
  await r.check('steady'); // down, and still down when the store is back
  await r.deliver();
  await clock.advance(300_000);
  await r.alerts.idle();
  assert.equal(sent().length, 1, 'nothing can be queued while the store refuses writes');
  assert.equal(health.status().ok, false);

  faulty.fail(null);
  await clock.advance(10_000); // the store's probe notices; alerts catch up by themselves
  await r.alerts.idle();
  await clock.advance(1_000);
  await r.alerts.idle();
  assert.equal(health.status().ok, true);
  assert.equal(sent().length, 2, sent().join('\n---\n'));
  const told = sent()[1]!;
  assert.match(told, /✅ <b>early<\/b> is back up after/);
  assert.match(told, /🟠 <b>flap<\/b> was down from 2026-11-21 06:0\d UTC to 2026-11-21 06:0\d UTC \(2 min\)\nexpected status 2xx, got 503\nNow ok; told late because the store was failing\./);
  assert.match(told, /🔴 <b>steady<\/b> is down/);
  assert.doesNotMatch(told, /flap<\/b> is (down|back up)/, 'the down and up of flap are one item');

  // Later: nothing is repeated, and the bookkeeping reached the store.
  await clock.advance(3_600_000);
  await r.alerts.idle();
  assert.equal(sent().length, 2);
  assert.equal(await temp.store.outboxDepth(), 0);
  const book = JSON.parse((await temp.store.getMeta('alerts'))!);
  assert.deepEqual(Object.keys(book.announced), ['steady']);
  assert.deepEqual(book.pending, []);
  assert.ok(r.lines.every((l) => !l.includes('bookkeeping failed')), 'the outage is the store\'s log line, not one per batch');
});

test('mergeOutages: a held down with its recovery becomes one outage item; other items stay', () => {
  const item = (event: AlertItem['event'], entity: string, at: number, extra: Partial<AlertItem> = {}): AlertItem => ({
    event, entity, status: event === 'recovered' ? 'ok' : 'error', message: `${entity} ${event}`, impacted: [], at,
    since: at, days: null, url: null, key: `${entity}:${event}:${at}`, ...extra,
  });
  const cases: [string, AlertItem[], string[]][] = [
    ['down then up', [item('down', 'a', 1, { impacted: ['b'] }), item('reminder', 'a', 2), item('recovered', 'a', 3, { since: 1, reach: ['b'] })], ['outage a:outage:1 1..3 ok impacted=b reach=b']],
    ['a recovery of a failure told before', [item('recovered', 'a', 3, { since: 0 })], ['recovered a:recovered:3 0..3 ok impacted= reach=']],
    ['up, then down again', [item('recovered', 'a', 3), item('down', 'a', 4)], ['recovered a:recovered:3 3..3 ok impacted= reach=', 'down a:down:4 4..4 error impacted= reach=']],
    ['two entities interleaved', [item('down', 'a', 1), item('down', 'b', 2), item('recovered', 'a', 3, { since: 1 })], ['outage a:outage:1 1..3 ok impacted= reach=', 'down b:down:2 2..2 error impacted= reach=']],
  ];
  for (const [name, items, want] of cases) {
    const got = mergeOutages(items).map((i) => `${i.event} ${i.key} ${i.since}..${i.at} ${i.status} impacted=${i.impacted.join(',')} reach=${(i.reach ?? []).join(',')}`);
    assert.deepEqual(got, want, name);
  }
});
