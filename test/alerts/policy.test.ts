import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY_BOOKKEEPING, alertOf, certBand, decide, dueReminders, nextReminderAt, reconcile,
} from '../../src/alerts/policy.ts';
import { configFixed, configInvalid } from '../../src/alerts/config-alerts.ts';
import type { Bookkeeping, PolicyView, Trigger } from '../../src/alerts/policy.ts';
import { initialState } from '../../src/monitor/state.ts';
import type { EntityState, Status, Transition } from '../../src/types.ts';

const T0 = 1_700_000_000_000;

function st(name: string, status: Status, over: Partial<EntityState> = {}): EntityState {
  return { ...initialState(name), status, since: T0, message: `${name} says hi`, ...over };
}

function tr(name: string, from: Status, to: Status, at: number, over: Partial<Transition> = {}): Trigger {
  return {
    kind: 'transition',
    transition: { name, from, to, at, message: `${name} ${to}`, blocked_by: null, prev_since: at - 30_000, ...over },
  };
}

function view(states: EntityState[], over: Partial<PolicyView> = {}): PolicyView {
  return { states, public_url: null, degraded: false, ...over };
}

const announced = (names: Record<string, number>): Bookkeeping => ({
  ...EMPTY_BOOKKEEPING,
  announced: Object.fromEntries(Object.entries(names).map(([n, since]) => [n, { since, reminded_at: since }])),
});

test('a root cause going down is one message naming what is blocked behind it', () => {
  const states = [
    st('db', 'error'),
    st('api', 'blocked', { blocked_by: 'db' }),
    st('web', 'blocked', { blocked_by: 'db' }),
    st('other', 'blocked', { blocked_by: 'net' }),
    st('worker', 'pending'),
  ];
  const { items, bookkeeping } = decide(EMPTY_BOOKKEEPING, [
    tr('api', 'pending', 'blocked', T0 + 1, { blocked_by: 'db' }),
    tr('db', 'pending', 'error', T0 + 2, { message: 'connection refused' }),
    tr('web', 'ok', 'blocked', T0 + 3, { blocked_by: 'db' }),
  ], view(states, { public_url: 'https://status.example.com' }));
  assert.deepEqual(items, [{
    event: 'down', entity: 'db', status: 'error', message: 'connection refused', impacted: ['api', 'web'],
    at: T0 + 2, since: T0 + 2 - 30_000, days: null, url: 'https://status.example.com#db', key: `db:down:${T0 + 2}`,
  }]);
  assert.deepEqual(Object.keys(bookkeeping.announced), ['db']);
});

test('who gets a message when', async (t) => {
  const cases: { name: string; book?: Bookkeeping; triggers: Trigger[]; degraded?: boolean; events: string[]; announced: string[]; states?: Record<string, Status> }[] = [
    { name: 'blocked entities get nothing', triggers: [tr('api', 'pending', 'blocked', T0)], events: [], announced: [] },
    {
      // The monitor turns blocked into error only on a fresh failing check taken with the root up.
      name: 'a blocked entity still failing after its root recovered gets its own message',
      triggers: [tr('api', 'blocked', 'error', T0)], events: ['down api'], announced: ['api'], states: { api: 'error' },
    },
    {
      name: 'an announced entity blocked meanwhile and back in error is not announced again',
      book: announced({ api: T0 - 1000 }), triggers: [tr('api', 'blocked', 'error', T0)], events: [], announced: ['api'],
    },
    {
      name: 'recovery of an announced failure', book: announced({ db: T0 - 60_000 }),
      triggers: [tr('db', 'error', 'ok', T0)], events: ['recovered db'], announced: [],
    },
    {
      name: 'recovery is sent even when the announced entity was blocked meanwhile', book: announced({ api: T0 - 60_000 }),
      triggers: [tr('api', 'error', 'blocked', T0 - 100), tr('api', 'blocked', 'ok', T0)], events: ['recovered api'], announced: [],
    },
    {
      name: 'a blocked entity that was never announced recovers silently',
      triggers: [tr('api', 'blocked', 'ok', T0)], events: [], announced: [],
    },
    {
      name: 'down and up within one batch are both told',
      triggers: [tr('db', 'pending', 'error', T0), tr('db', 'error', 'ok', T0 + 1500)], events: ['down db', 'recovered db'], announced: [],
    },
    { name: 'pending says nothing', triggers: [tr('db', 'ok', 'pending', T0)], events: [], announced: [] },
    { name: 'degraded is silent by default', triggers: [tr('db', 'ok', 'degraded', T0)], events: [], announced: [] },
    {
      name: 'degraded and back with notify.degraded', degraded: true,
      triggers: [tr('db', 'ok', 'degraded', T0), tr('db', 'degraded', 'ok', T0 + 1000)], events: ['degraded db', 'undegraded db'], announced: [],
    },
    {
      name: 'a recovery into degraded is one recovery message', degraded: true, book: announced({ db: T0 - 5000 }),
      triggers: [tr('db', 'error', 'degraded', T0)], events: ['recovered db'], announced: [],
    },
    {
      name: 'ten roots within the window are ten items of one batch',
      triggers: Array.from({ length: 10 }, (_, i) => tr(`r${i}`, 'pending', 'error', T0 + i * 100)),
      events: Array.from({ length: 10 }, (_, i) => `down r${i}`), announced: Array.from({ length: 10 }, (_, i) => `r${i}`),
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const names = ['db', 'api', ...Array.from({ length: 10 }, (_, i) => `r${i}`)];
      const states = names.map((n) => st(n, c.states?.[n] ?? 'ok'));
      const { items, bookkeeping } = decide(c.book ?? EMPTY_BOOKKEEPING, c.triggers, view(states, { degraded: c.degraded ?? false }));
      assert.deepEqual(items.map((i) => `${i.event} ${i.entity}`), c.events);
      assert.deepEqual(Object.keys(bookkeeping.announced).sort(), [...c.announced].sort());
    });
  }
});

test('a blocked entity announced later uses the key reconcile would use, and the failure began when it was first down', () => {
  const told = decide(EMPTY_BOOKKEEPING, [tr('api', 'blocked', 'error', T0, { prev_since: T0 - 60_000 })], view([st('api', 'error', { since: T0 })]));
  assert.deepEqual(told.items.map((i) => [i.key, i.since]), [[`api:down:${T0}`, T0 - 60_000]]);
  assert.equal(reconcile(EMPTY_BOOKKEEPING, view([st('api', 'error', { since: T0 })])).items[0]!.key, `api:down:${T0}`);
});

test('recovery carries when the failure began, whatever happened in between', () => {
  const book = announced({ api: T0 - 3_600_000 });
  const { items } = decide(book, [tr('api', 'error', 'blocked', T0 - 10), tr('api', 'blocked', 'ok', T0)], view([st('api', 'ok')]));
  assert.equal(items.length, 1);
  assert.equal(items[0]!.since, T0 - 3_600_000);
  assert.equal(items[0]!.at, T0);
  assert.equal(items[0]!.key, `api:recovered:${T0}`);
});

test('certificate warnings: once per threshold, again for a renewed certificate', () => {
  const cert = (days: number, at: number): Trigger => ({ kind: 'certificate', name: 'web', days, at });
  const v = view([st('web', 'degraded')], { degraded: true });
  let book = EMPTY_BOOKKEEPING;
  const told: string[] = [];
  for (const [days, at] of [[45, 1], [30, 2], [29, 3], [14, 4], [13, 5], [3, 6], [2, 7], [90, 8], [20, 9]] as const) {
    const d = decide(book, [cert(days, at)], v);
    book = d.bookkeeping;
    told.push(...d.items.map((i) => `${i.days}:${i.key}`));
  }
  assert.deepEqual(told, ['30:web:cert30:2', '14:web:cert14:4', '3:web:cert7:6', '20:web:cert30:9']);
  assert.deepEqual([certBand(31), certBand(30), certBand(8), certBand(7), certBand(-2)], [null, 30, 14, 7, 7]);
  assert.deepEqual(decide(EMPTY_BOOKKEEPING, [cert(5, 1)], view([st('web', 'ok')])).items, [], 'off unless notify.degraded');
});

test('reminders every interval while in error, missed ones collapse, blocked ones wait', () => {
  const book = announced({ db: T0, api: T0 });
  const v = view([st('db', 'error'), st('api', 'blocked', { blocked_by: 'net' }), st('x', 'blocked', { blocked_by: 'db' })]);
  const hour = 3_600_000;
  assert.equal(nextReminderAt(book, v, hour), T0 + hour);
  assert.equal(nextReminderAt(book, v, 0), null);
  assert.deepEqual(dueReminders(book, v, T0 + hour - 1, hour).items, []);
  const first = dueReminders(book, v, T0 + hour, hour);
  assert.deepEqual(first.items.map((i) => [i.event, i.entity, i.key, i.since, i.impacted]), [
    ['reminder', 'db', `db:reminder:${T0 + hour}`, T0, ['x']],
  ]);
  const late = dueReminders(first.bookkeeping, v, T0 + 4.5 * hour, hour);
  assert.deepEqual(late.items.map((i) => i.key), [`db:reminder:${T0 + 4 * hour}`]);
  assert.equal(nextReminderAt(late.bookkeeping, v, hour), T0 + 5 * hour);
});

test('reconcile after a gap: announces the untold, recovers the told, forgets the removed', () => {
  const book: Bookkeeping = {
    ...announced({ up: T0 - 9000, still: T0 - 8000, gone: T0 - 7000 }),
    certs: { gone: 30, still: 14 },
  };
  const v = view([
    st('up', 'ok', { since: T0 }), st('still', 'blocked', { blocked_by: 'new' }), st('new', 'error', { since: T0 + 5 }),
  ]);
  const { items, bookkeeping } = reconcile(book, v);
  assert.deepEqual(items.map((i) => [i.event, i.entity, i.key]), [
    ['recovered', 'up', `up:recovered:${T0}`],
    ['down', 'new', `new:down:${T0 + 5}`],
  ]);
  assert.deepEqual(items[1]!.impacted, ['still']);
  assert.deepEqual(Object.keys(bookkeeping.announced).sort(), ['new', 'still']);
  assert.deepEqual(bookkeeping.certs, { still: 14 });
});

test('the live path and reconcile use the same keys, so a gap never queues twice', () => {
  const live = decide(EMPTY_BOOKKEEPING, [tr('db', 'pending', 'error', T0)], view([st('db', 'error', { since: T0 })]));
  const late = reconcile(EMPTY_BOOKKEEPING, view([st('db', 'error', { since: T0 })]));
  assert.equal(live.items[0]!.key, late.items[0]!.key);
});

test('configuration problems: once until fixed, then one fixed message', () => {
  const first = configInvalid(EMPTY_BOOKKEEPING, ['entities.yaml:12:7: /entities/a/interval must be >= 1'], T0);
  assert.deepEqual(first.items.map((i) => [i.event, i.message]), [['config_invalid', 'entities.yaml:12:7: /entities/a/interval must be >= 1']]);
  assert.deepEqual(configInvalid(first.bookkeeping, ['entities.yaml:3:1: other'], T0 + 1).items, []);
  const fixed = configFixed(first.bookkeeping, T0 + 2, 4);
  assert.deepEqual(fixed.items.map((i) => [i.event, i.message, i.key]), [['config_fixed', '4 entities loaded', `config:fixed:${T0 + 2}`]]);
  assert.equal(fixed.bookkeeping.config_error, null);
  assert.deepEqual(configFixed(fixed.bookkeeping, T0 + 3, 4).items, []);
});

test('a batch key is derived from its items and stable', () => {
  const { items } = decide(EMPTY_BOOKKEEPING, [tr('a', 'pending', 'error', 1), tr('b', 'pending', 'error', 2)], view([]));
  const one = alertOf(items)!;
  assert.match(one.key, /^batch:[0-9a-f]{24}$/);
  assert.equal(alertOf(items)!.key, one.key);
  assert.notEqual(alertOf(items.slice(0, 1))!.key, one.key);
  assert.equal(alertOf(items.slice(0, 1))!.key, 'a:down:1');
  assert.equal(alertOf([]), null);
});
