// Flapping: the Icinga-style share of state changes as a pure function, then end to end with a
// real target that alternates between passing and failing, the real monitor, policy, outbox
// and the real Telegram client against the fake Bot API.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FLAP, flapPercent, stepFlap, NOT_FLAPPING } from '../../src/monitor/flapping.ts';
import { apiEntity } from '../helpers/entities.ts';
import { formatProblem, parseConfig } from '../../src/config/load.ts';
import { toDocument } from '../../src/server/document.ts';
import { initialState } from '../../src/monitor/state.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig } from './helpers.ts';
import { startRig } from './rig.ts';
import type { Rig } from './rig.ts';

const alternating = (n: number, first = true): boolean[] => Array.from({ length: n }, (_, i) => (i % 2 === 0) === first);

test('the weighted share of changes over the last 21 results, newer changes weighing more', () => {
  const cases: [string, boolean[], number][] = [
    ['no results', [], 0],
    ['always passing', Array(30).fill(true), 0],
    ['alternating throughout', alternating(21), 100],
    ['only the newest result differs', [...Array(20).fill(true), false], 6],
    ['only the oldest change in the window', [true, ...Array(20).fill(false)], 4],
    ['one change among few results counts as the newest slot', [true, false], 6],
    ['older results than 21 are forgotten', [...alternating(40), ...Array(21).fill(true)], 0],
  ];
  for (const [name, results, percent] of cases) assert.equal(flapPercent(results), percent, name);
});

test('starts above high, stops only below low (hysteresis)', () => {
  let state = NOT_FLAPPING;
  const seen: boolean[] = [];
  for (const ok of [...alternating(12), ...Array(30).fill(false)]) {
    state = stepFlap(state, ok, DEFAULT_FLAP);
    seen.push(state.flapping);
  }
  const start = seen.indexOf(true);
  const stop = seen.lastIndexOf(true) + 1;
  assert.ok(start > 0 && start < 12, `starts while alternating (at ${start})`);
  assert.ok(stop > 12 && stop < seen.length, `stops after it steadies (at ${stop})`);
  assert.ok(seen.slice(start, stop).every(Boolean), 'no flicker in between');
});

let fake: FakeTelegram;
const targets: Target[] = [];
const rigs: Rig[] = [];
before(async () => { fake = await startFakeTelegram(); });
after(() => fake.close());
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
  fake.requests.length = 0;
});

const sent = (): string[] => fake.delivered().map((r) => r.params.text!);

test('a target alternating every check: one message when flapping starts, one when it settles; the failure it settles into is announced', async () => {
  const t = await startTarget(200, 'ok');
  targets.push(t);
  const r = await startRig([apiEntity('shop', t.url, [], { failure_threshold: 2, interval: 3600, timeout: 5, flapping: DEFAULT_FLAP })],
    { telegram: telegramConfig(fake.apiRoot) });
  rigs.push(r);
  for (let n = 0; n < 80; n++) {
    t.status = n % 2 === 0 ? 200 : 503;
    await r.check('shop');
    await r.deliver();
  }
  assert.equal(sent().length, 1, sent().join('\n---\n'));
  assert.match(sent()[0]!, /<b>shop<\/b> is flapping/);
  assert.match(sent()[0]!, /state changed in 34.42% of the last 20 checks/, "six changes in a row: above 30 %");

  t.status = 503;
  let checks = 0;
  while (sent().length === 1 && checks < 40) {
    await r.check('shop');
    await r.deliver();
    checks += 1;
  }
  assert.equal(sent().length, 2, 'it settles within the window');
  assert.match(sent()[1]!, /<b>shop<\/b> stopped flapping after .*: now error/);
  assert.match(sent()[1]!, /<b>shop<\/b> is down/, 'the steady failure is announced with it');
  for (let n = 0; n < 5; n++) {
    await r.check('shop');
    await r.deliver();
  }
  assert.equal(sent().length, 2, 'nothing more while it stays down');
  t.status = 200;
  await r.check('shop');
  await r.deliver();
  assert.equal(sent().length, 3);
  assert.match(sent()[2]!, /<b>shop<\/b> is back up/, 'and its recovery, as for any announced failure');
});

test('flapping settings: on with Icinga\'s thresholds, own thresholds, off; low above high is refused at its place', () => {
  const ok = parseConfig('defaults: { flapping: true }\nentities:\n  a: { type: ping, host: h }\n  b: { type: ping, host: h, flapping: { low: 20 } }\n  c: { type: ping, host: h, flapping: false }\n', 'entities.yaml', {});
  assert.ok('config' in ok);
  assert.deepEqual(ok.config.entities.map((e) => e.flapping), [{ low: 25, high: 30 }, { low: 20, high: 30 }, null]);
  const bad = parseConfig('entities:\n  a: { type: ping, host: h, flapping: { low: 40, high: 30 } }\n', 'entities.yaml', {});
  assert.ok('errors' in bad);
  assert.deepEqual(bad.errors.map(formatProblem), ['entities.yaml:2:39: /entities/a/flapping: low (40) must not be above high (30)']);
});

test('the entity document carries the flag', () => {
  const entity = apiEntity('shop', 'http://127.0.0.1:9/');
  assert.equal(toDocument(entity, initialState('shop')).flapping, false);
  assert.equal(toDocument(entity, initialState('shop'), undefined, { flapping: true, ack: null }).flapping, true);
});
