// Alerts through a store outage, on real checks, the real alert service and the fake Bot API, with
// a store that refuses writes as a full disk does (the drills with real faults are in
// store-drills.test.ts): nothing is dropped, nothing is sent twice, and what happened meanwhile
// is told once the store is back, a down-and-up as one "down from … to …".
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { diskFullError, faultyStore } from '../helpers/faulty-store.ts';
import type { FaultyStore } from '../helpers/faulty-store.ts';
import { openWatchedStore } from '../../src/store/health.ts';
import { mergeOutages } from '../../src/alerts/triggers.ts';
import type { AlertItem } from '../../src/alerts/alert.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { tempStore } from './helpers.ts';
import { outageScenario } from './outage-scenario.ts';

let fake: FakeTelegram;
before(async () => { fake = await startFakeTelegram(); });
after(async () => { await fake.close(); });
afterEach(() => { fake.requests.length = 0; });

test('transitions during a store outage are told once after it, a down-and-up as one message; nothing twice', async () => {
  let faulty: FaultyStore | null = null;
  await outageScenario(fake, async (clock) => {
    const temp = await tempStore();
    faulty = faultyStore(temp.store);
    return { temp, health: await openWatchedStore(async () => faulty!.store, { clock }) };
  }, {
    async break(health) {
      faulty!.fail(diskFullError());
      await assert.rejects(health.store.flush());
    },
    async heal() { faulty!.fail(null); },
  });
});

test('mergeOutages: a held down with its recovery becomes one outage item; other items stay', () => {
  const item = (event: AlertItem['event'], entity: string, at: number, extra: Partial<AlertItem> = {}): AlertItem => ({
    event, entity, status: event === 'recovered' ? 'ok' : 'error', message: `${entity} ${event}`, impacted: [], at,
    since: at, days: null, url: null, key: `${entity}:${event}:${at}`, ...extra,
  });
  const cases: [string, AlertItem[], string[]][] = [
    ['down then up', [item('down', 'a', 1, { impacted: ['b'] }), item('reminder', 'a', 2), item('recovered', 'a', 3, { since: 1, reach: ['b'] })], ['outage a:outage:1 1..3 ok impacted=b reach=b']],
    ['more impacted while held', [item('down', 'a', 1, { impacted: ['b'] }), item('impacted', 'a', 2, { impacted: ['b', 'c'] }), item('recovered', 'a', 3, { since: 1 })], ['outage a:outage:1 1..3 ok impacted=b,c reach=']],
    ['more impacted, still down', [item('down', 'a', 1, { impacted: ['b'] }), item('impacted', 'a', 2, { impacted: ['b', 'c'] })], ['down a:down:1 1..1 error impacted=b,c reach=']],
    ['a recovery of a failure told before', [item('recovered', 'a', 3, { since: 0 })], ['recovered a:recovered:3 0..3 ok impacted= reach=']],
    ['up, then down again', [item('recovered', 'a', 3), item('down', 'a', 4)], ['recovered a:recovered:3 3..3 ok impacted= reach=', 'down a:down:4 4..4 error impacted= reach=']],
    ['an update of a held down is folded into it', [item('down', 'a', 1, { impacted: ['b'] }), item('impacted', 'a', 2, { impacted: ['b', 'c'] })], ['down a:down:1 1..1 error impacted=b,c reach=']],
    ['an update of a down told before stays', [item('impacted', 'a', 2, { impacted: ['b', 'c'] })], ['impacted a:impacted:2 2..2 error impacted=b,c reach=']],
    ['two entities interleaved', [item('down', 'a', 1), item('down', 'b', 2), item('recovered', 'a', 3, { since: 1 })], ['outage a:outage:1 1..3 ok impacted= reach=', 'down b:down:2 2..2 error impacted= reach=']],
  ];
  for (const [name, items, want] of cases) {
    const got = mergeOutages(items).map((i) => `${i.event} ${i.key} ${i.since}..${i.at} ${i.status} impacted=${i.impacted.join(',')} reach=${(i.reach ?? []).join(',')}`);
    assert.deepEqual(got, want, name);
  }
});
