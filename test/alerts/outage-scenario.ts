// One story told against every kind of store fault (a throwing wrapper, a full tmpfs, a cut
// PostgreSQL connection): an entity announced down before the outage recovers during it, one
// goes down and up inside it, one goes down and stays down. Once the store is back, one message
// tells all three, and nothing is ever sent twice.
import assert from 'node:assert/strict';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import type { StoreHealth } from '../../src/store/health.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig, waitUntil } from './helpers.ts';
import type { TempStore } from './helpers.ts';
import { RIG_START, startRig } from './rig.ts';
import type { Rig } from './rig.ts';

export interface Fault {
  /** Breaks the store; resolves once the store counts as unavailable. */
  break(health: StoreHealth): Promise<void>;
  heal(): Promise<void>;
  /** Looks at the service while the store is broken (the API, say). */
  during?(rig: Rig): Promise<void>;
}

export async function outageScenario(
  fake: FakeTelegram,
  open: (clock: FakeClock) => Promise<{ health: StoreHealth; temp: TempStore }>,
  fault: Fault,
): Promise<void> {
  const targets: Target[] = await Promise.all([startTarget(), startTarget(), startTarget()]);
  const [early, flap, steady] = targets as [Target, Target, Target];
  const clock = fakeClock(RIG_START);
  const { health, temp } = await open(clock);
  const sent = (): string[] => fake.delivered().map((r) => r.params.text!);
  const r = await startRig(
    [['early', early], ['flap', flap], ['steady', steady]].map(([name, t]) =>
      apiEntity(name as string, (t as Target).url, [], { failure_threshold: 1, interval: 3600, timeout: 5 })),
    { telegram: telegramConfig(fake.apiRoot) },
    { temp: { ...temp, store: health.store }, clock, storeHealth: health },
  );
  // Simulated time moves in 1 s steps until `count` messages have arrived: the store's and the
  // Bot API's I/O is real, and a delivery that meets a hiccup is retried after 5 s.
  const told = (count: number, what: string) => waitUntil(async () => {
    await clock.advance(1_000);
    await r.alerts.idle();
    return sent().length >= count;
  }, `${what}: ${count} messages (store: ${JSON.stringify(health.status())})`, 30_000);
  try {
    await r.check('early', 'flap', 'steady');
    early.status = 503;
    await r.check('early');
    await told(1, 'the first failure');
    assert.deepEqual(sent().map((t) => t.split('\n')[0]), ['🔴 <b>early</b> is down'], 'announced before the outage');

    await fault.break(health);
    assert.equal(health.status().ok, false);
    await clock.advance(60_000);
    early.status = 200;
    await r.check('early'); // its recovery is due while the store is failing
    flap.status = 503;
    await r.check('flap');
    await r.deliver();
    await clock.advance(120_000);
    flap.status = 200;
    await r.check('flap'); // down and up again inside the outage
    steady.status = 503;
    await r.check('steady'); // down, and still down when the store is back
    await r.deliver();
    await clock.advance(60_000);
    await r.alerts.idle();
    await fault.during?.(r);
    assert.equal(sent().length, 1, 'nothing can be queued while the store fails');
    const waiting = ((await r.alerts.health()) as { alerts: { waiting: number; outbox_depth: number | null } }).alerts;
    assert.deepEqual(waiting, { ...waiting, waiting: 4, outbox_depth: null }, 'early up, flap down, flap up and steady down wait in memory');
    assert.equal(health.status().ok, false);

    await fault.heal();
    // The store's probe notices (every 10 s at most by now); alerts catch up by themselves.
    await told(2, 'the store back and the catch-up');
    assert.ok(health.status().ok);
    assert.equal(sent().length, 2, sent().join('\n---\n'));
    const last = sent()[1]!;
    assert.match(last, /✅ <b>early<\/b> is back up after/);
    assert.match(last, /🟠 <b>flap<\/b> was down from 2026-11-21 06:0\d UTC to 2026-11-21 06:0\d UTC \(2 min\)\nexpected status 2xx, got 503\nNow ok; told late because the store was failing\./);
    assert.match(last, /🔴 <b>steady<\/b> is down/);
    assert.doesNotMatch(last, /flap<\/b> is (down|back up)/, 'the down and up of flap are one item');

    // Later: nothing is repeated, and the bookkeeping reached the store.
    await clock.advance(3_600_000);
    await r.alerts.idle();
    assert.equal(sent().length, 2);
    assert.equal(new Set(sent()).size, sent().length, 'no message delivered more than once');
    assert.equal(await health.store.outboxDepth(), 0);
    const book = JSON.parse((await health.store.getMeta('alerts'))!);
    assert.deepEqual(Object.keys(book.announced), ['steady']);
    assert.deepEqual(book.pending, []);
    assert.ok(r.lines.every((l) => !l.includes('bookkeeping failed')), 'the outage is the store\'s log line, not one per batch');
  } finally {
    await r.close().catch(() => undefined);
    temp.remove();
    for (const t of targets) await t.close();
  }
}
