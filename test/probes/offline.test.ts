// A probe that stops reporting: shown offline, announced once on Telegram (real client, fake Bot
// API), and once again when it is back; a probe never seen is shown offline but not announced.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeTelegram } from '../alerts/fake-telegram.ts';
import { captureLogger, telegramConfig, useFakeTelegramAndReceiver } from '../alerts/helpers.ts';
import { startRig } from '../alerts/rig.ts';
import type { Rig } from '../alerts/rig.ts';
import { createPresence } from '../../src/probes/presence.ts';
import type { Presence } from '../../src/probes/presence.ts';
import { EMPTY_BOOKKEEPING } from '../../src/alerts/policy.ts';
import { probePresence } from '../../src/alerts/probe-alerts.ts';

let fake: FakeTelegram;
useFakeTelegramAndReceiver((f) => { fake = f; });
const rigs: Rig[] = [];
const presences: Presence[] = [];
afterEach(async () => {
  for (const p of presences.splice(0)) p.close();
  for (const r of rigs.splice(0)) await r.close();
});

const PROBES = [
  { site: 'fra', token_hash: '0'.repeat(64), offline_after: 60 },
  { site: 'nyc', token_hash: '1'.repeat(64), offline_after: 60 },
];

test('a probe not seen for offline_after is offline: told once, and once when it is back', async () => {
  const rig = await startRig([], { telegram: telegramConfig(fake.apiRoot) });
  rigs.push(rig);
  const before = fake.delivered().length;
  const texts = () => fake.delivered().slice(before).map((r) => r.params.text);
  const presence = createPresence({
    store: rig.temp.store, clock: rig.clock, logger: captureLogger().logger, probes: () => PROBES,
    onPresence: (status) => rig.alerts.probePresence(status),
  });
  presences.push(presence);
  presence.seen('fra');
  await rig.clock.advance(30_000);
  await rig.deliver();
  assert.deepEqual(presence.status(), [
    { site: 'fra', online: true, last_seen: '2026-11-21T06:00:00.000Z' },
    { site: 'nyc', online: false, last_seen: null },
  ]);
  assert.deepEqual(texts(), [], 'online, and a probe never seen is not announced');

  await rig.clock.advance(40_000);
  await rig.deliver();
  assert.equal(presence.status()[0]!.online, false);
  await rig.clock.advance(10 * 60_000);
  await rig.deliver();
  assert.deepEqual(texts(), ['📡 probe fra offline since 2026-11-21 06:00 UTC\nIts sites count as unknown, not down, until it reports again.']);

  presence.seen('fra');
  await rig.clock.advance(5_000);
  await rig.deliver();
  await rig.clock.advance(30_000);
  await rig.deliver();
  assert.equal(texts().length, 2, `back: told once: ${JSON.stringify(texts())}`);
  assert.equal(texts()[1], '📡 probe fra is back after 11 min');
});

test('the bookkeeping decides: a restart or a new leader with the same bookkeeping tells nothing twice', () => {
  const seen = '2026-11-21T06:00:00.000Z';
  const at = Date.parse(seen) + 120_000;
  const offline = probePresence(EMPTY_BOOKKEEPING, { site: 'fra', online: false, last_seen: seen }, at);
  assert.deepEqual(offline.items.map((i) => [i.event, i.key]), [['probe_offline', `probe:fra:offline:${Date.parse(seen)}`]]);
  assert.deepEqual(offline.bookkeeping.probes_offline, { fra: Date.parse(seen) });
  const again = probePresence(offline.bookkeeping, { site: 'fra', online: false, last_seen: seen }, at + 5000);
  assert.equal(again.bookkeeping, offline.bookkeeping);
  assert.deepEqual(again.items, []);
  const back = probePresence(offline.bookkeeping, { site: 'fra', online: true, last_seen: new Date(at).toISOString() }, at);
  assert.deepEqual(back.items.map((i) => [i.event, i.message]), [['probe_online', 'probe fra is back after 2 min']]);
  assert.deepEqual(back.bookkeeping.probes_offline, {});
  assert.deepEqual(probePresence(EMPTY_BOOKKEEPING, { site: 'nyc', online: false, last_seen: null }, at).items, [], 'never seen: not announced');
});

test('after a restart, a probe last seen long ago gets its offline_after again before it is announced', async () => {
  const rig = await startRig([], { telegram: telegramConfig(fake.apiRoot) });
  rigs.push(rig);
  const before = fake.delivered().length;
  const { logger } = captureLogger();
  const first = createPresence({ store: rig.temp.store, clock: rig.clock, logger, probes: () => PROBES });
  presences.push(first);
  first.seen('fra');
  first.close();
  // The server is down for ten minutes; then it starts again.
  await rig.clock.advance(10 * 60_000);
  const restarted = createPresence({
    store: rig.temp.store, clock: rig.clock, logger, probes: () => PROBES, onPresence: (status) => rig.alerts.probePresence(status),
  });
  presences.push(restarted);
  await rig.clock.advance(5_000);
  assert.deepEqual(restarted.status()[0], { site: 'fra', online: true, last_seen: '2026-11-21T06:00:00.000Z' }, 'read back from the store');
  restarted.seen('fra');
  await rig.clock.advance(30_000);
  await rig.deliver();
  assert.equal(fake.delivered().length, before, 'the probe came back within its offline_after: nothing to tell');
});
