import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { RunCheck } from '../../src/monitor/monitor.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { CheckOutcome, Entity, Status, Transition } from '../../src/types.ts';
import { fakeClock } from '../helpers/clock.ts';
import { configOf, pingEntity } from '../helpers/entities.ts';
import { Writable } from 'node:stream';
import { pino } from 'pino';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'pulsemap-monitor-'));
  dirs.push(d);
  return d;
}

const up: CheckOutcome = { ok: true, degraded: false, latency_ms: 1, message: 'up', extra: {} };
const down: CheckOutcome = { ok: false, degraded: false, latency_ms: null, message: 'connection refused', extra: {} };

/** Targets whose health a test flips; every check of an entity is recorded with its time. */
function targets(clock: { now(): number }) {
  const healthy = new Map<string, boolean>();
  const checks: { name: string; at: number }[] = [];
  const runCheck: RunCheck = async (entity) => {
    checks.push({ name: entity.name, at: clock.now() });
    return healthy.get(entity.name) === false ? down : up;
  };
  return { healthy, checks, runCheck, times: (name: string) => checks.filter((c) => c.name === name).map((c) => c.at) };
}

async function setup(entities: Entity[]) {
  const clock = fakeClock(0);
  const t = targets(clock);
  const store = await openSqliteStore({ dir: tempDir() });
  const monitor = createMonitor({ config: configOf(entities), store, runCheck: t.runCheck, clock, random: () => 0 });
  const transitions: Transition[] = [];
  monitor.connect([{ onTransition: (tr) => transitions.push(tr) }]);
  const statuses = (name: string): Status[] => transitions.filter((x) => x.name === name).map((x) => x.to);
  return { clock, ...t, store, monitor, transitions, statuses };
}

test('checks run on the interval and on retry_interval while pending', async () => {
  const s = await setup([pingEntity('a', [], { interval: 60, retry_interval: 15 })]);
  await s.monitor.start();
  await s.clock.advance(60_000);
  assert.deepEqual(s.times('a'), [0, 60_000]);
  s.healthy.set('a', false);
  await s.clock.advance(60_000 + 15_000 + 15_000);
  assert.deepEqual(s.times('a'), [0, 60_000, 120_000, 135_000, 150_000]);
  assert.deepEqual(s.statuses('a'), ['ok', 'pending', 'error']);
  await s.clock.advance(60_000);
  assert.deepEqual(s.times('a').slice(5), [210_000], 'back on the normal interval once confirmed');
  await s.monitor.stop();
  await s.store.close();
});

test('before confirming an error, stale dependencies are re-checked: the child ends blocked, not error', async () => {
  const parent = pingEntity('parent', [], { interval: 300, retry_interval: 2 });
  const child = pingEntity('child', ['parent'], { interval: 1, retry_interval: 1 });
  const s = await setup([child, parent]);
  await s.monitor.start();
  await s.clock.advance(10_000);
  assert.equal(s.monitor.state('parent')!.status, 'ok');
  const parentChecksBefore = s.times('parent').length;
  s.healthy.set('parent', false);
  s.healthy.set('child', false);
  await s.clock.advance(30_000);
  assert.ok(s.times('parent').length > parentChecksBefore, 'the parent was re-checked long before its 300 s interval');
  assert.equal(s.monitor.state('parent')!.status, 'error');
  assert.equal(s.monitor.state('child')!.status, 'blocked');
  assert.equal(s.monitor.state('child')!.blocked_by, 'parent');
  assert.ok(!s.statuses('child').includes('error'), `child went through ${s.statuses('child').join(' -> ')}`);
  await s.monitor.stop();
  await s.store.close();
});

test('when the root recovers, a dependent that still fails becomes error and one that passes ok', async () => {
  const root = pingEntity('root', [], { interval: 10, retry_interval: 10, failure_threshold: 1 });
  const a = pingEntity('a', ['root'], { interval: 10, retry_interval: 10, failure_threshold: 1 });
  const b = pingEntity('b', ['root'], { interval: 10, retry_interval: 10, failure_threshold: 1 });
  const s = await setup([root, a, b]);
  for (const n of ['root', 'a', 'b']) s.healthy.set(n, false);
  await s.monitor.start();
  await s.clock.advance(1);
  assert.deepEqual(['root', 'a', 'b'].map((n) => s.monitor.state(n)!.status), ['error', 'blocked', 'blocked']);
  s.healthy.set('root', true);
  s.healthy.set('b', true);
  await s.clock.advance(10_000);
  assert.deepEqual(['root', 'a', 'b'].map((n) => s.monitor.state(n)!.status), ['ok', 'error', 'ok']);
  await s.monitor.stop();
  await s.store.close();
});

test('one hung target among 200 delays no other check', async () => {
  const clock = fakeClock(0);
  const entities = Array.from({ length: 200 }, (_, i) => pingEntity(`e${i}`, [], { interval: 10, timeout: 10_000 }));
  const counts = new Map<string, number>();
  const runCheck: RunCheck = (entity, { signal }) => {
    counts.set(entity.name, (counts.get(entity.name) ?? 0) + 1);
    if (entity.name !== 'e42') return Promise.resolve(up);
    // Never answers until the monitor stops and aborts it.
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(down)));
  };
  const store = await openSqliteStore({ dir: tempDir() });
  // First checks spread over the interval, deterministically (Math.random gives a first check at
  // 0 ms, and so an eleventh check within the 100 s, about once in 50 runs).
  let k = 0;
  const spread = (): number => ((++k * 0.6180339887) % 1);
  const monitor = createMonitor({ config: configOf(entities), store, runCheck, clock, random: spread });
  await monitor.start();
  await clock.advance(100_000);
  assert.equal(counts.get('e42'), 1, 'the hung check is still in flight, never restarted');
  for (const e of entities) {
    if (e.name === 'e42') continue;
    assert.equal(counts.get(e.name), 10, `${e.name} ran every 10 s`);
  }
  await monitor.stop();
  await store.close();
});

test('state survives a restart: counts, status and since continue', async () => {
  const dir = tempDir();
  const clock = fakeClock(0);
  const t = targets(clock);
  const entities = [pingEntity('a', [], { interval: 10 })];
  let store = await openSqliteStore({ dir });
  let monitor = createMonitor({ config: configOf(entities), store, runCheck: t.runCheck, clock, random: () => 0 });
  await monitor.start();
  await clock.advance(25_000);
  const before = monitor.state('a')!;
  assert.equal(before.success_count, 3);
  await monitor.stop();
  await store.close();

  store = await openSqliteStore({ dir });
  monitor = createMonitor({ config: configOf(entities), store, runCheck: t.runCheck, clock, random: () => 0 });
  await monitor.start();
  assert.deepEqual(monitor.state('a'), before);
  await clock.advance(10_000);
  assert.equal(monitor.state('a')!.success_count, 4);
  assert.equal(monitor.state('a')!.since, before.since);
  await monitor.stop();
  await store.close();
});

test('apply: new entities start, removed stop, changed reschedule with counts kept, unchanged untouched', async () => {
  const s = await setup([pingEntity('keep', [], { interval: 10 }), pingEntity('gone', [], { interval: 10 }), pingEntity('change', [], { interval: 10 })]);
  await s.monitor.start();
  await s.clock.advance(15_000);
  const keepTimes = s.times('keep');
  s.monitor.apply(configOf([pingEntity('keep', [], { interval: 10 }), pingEntity('change', [], { interval: 100 }), pingEntity('new', [], { interval: 10 })]));
  assert.equal(s.monitor.entity('gone'), undefined);
  assert.equal(s.monitor.state('change')!.success_count, 2, 'counts kept across a change');
  await s.clock.advance(25_000);
  assert.deepEqual(s.times('keep'), [...keepTimes, 20_000, 30_000, 40_000], 'unchanged timer untouched');
  assert.deepEqual(s.times('gone'), [0, 10_000], 'removed entity no longer checked');
  assert.deepEqual(s.times('change'), [0, 10_000], 'changed entity follows its new 100 s interval');
  assert.ok(s.times('new').length >= 2, 'new entity started');
  s.monitor.apply(configOf([pingEntity('keep', [], { interval: 10 }), pingEntity('gone', [], { interval: 10 })]));
  assert.equal(s.monitor.state('gone')!.success_count, 2, 'an entity added back continues its counts');
  await s.monitor.stop();
  await s.store.close();
});

/** Checks that each take `ms` of the fake clock; records how many run at once. */
function slowTargets(clock: ReturnType<typeof fakeClock>, ms: number) {
  let running = 0;
  let most = 0;
  const starts: { name: string; at: number }[] = [];
  const runCheck: RunCheck = (entity, { signal }) => {
    starts.push({ name: entity.name, at: clock.now() });
    running++;
    most = Math.max(most, running);
    return new Promise((resolve) => {
      const end = (outcome: CheckOutcome): void => { running--; resolve(outcome); };
      const timer = clock.setTimeout(() => end(up), ms);
      signal.addEventListener('abort', () => { clock.clearTimeout(timer); end(down); }, { once: true });
    });
  };
  return { runCheck, starts, most: () => most };
}

test('checks.max_in_flight: no more checks run at once; the rest start in turn and report the wait as lateness', async () => {
  const clock = fakeClock(0);
  const t = slowTargets(clock, 1000);
  const entities = Array.from({ length: 10 }, (_, i) => pingEntity(`e${i}`, [], { interval: 10 }));
  const store = await openSqliteStore({ dir: tempDir() });
  const late: number[] = [];
  const monitor = createMonitor({
    config: configOf(entities, { checks: { max_in_flight: 3 } }), store, runCheck: t.runCheck, clock, random: () => 0,
    onCheckStart: (_name, ms) => late.push(ms),
  });
  await monitor.start();
  await clock.advance(5_000);
  assert.equal(t.most(), 3);
  assert.deepEqual(t.starts.map((s) => s.at), [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000]);
  assert.deepEqual(late, [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000], 'the wait for a slot counts as lateness');
  assert.deepEqual(t.starts.map((s) => s.name), entities.map((e) => e.name), 'in the order they fell due');
  assert.deepEqual(monitor.load(), { max: 3, limit: 3, active: 0, waiting: 0 });
  await clock.advance(15_000);
  // Each keeps its cadence from its plan: the second round starts at 10 s like the first at 0.
  assert.deepEqual(t.starts.filter((s) => s.name === 'e9').map((s) => s.at), [3000, 13_000]);
  assert.equal(t.most(), 3);
  await monitor.stop();
  await store.close();
});

test('checks.max_in_flight: a failure confirmed against its dependencies does not wait for its own slot (cap 1)', async () => {
  const parent = pingEntity('parent', [], { interval: 300, retry_interval: 2 });
  const child = pingEntity('child', ['parent'], { interval: 1, retry_interval: 1 });
  const clock = fakeClock(0);
  const t = targets(clock);
  const store = await openSqliteStore({ dir: tempDir() });
  const monitor = createMonitor({ config: configOf([child, parent], { checks: { max_in_flight: 1 } }), store, runCheck: t.runCheck, clock, random: () => 0 });
  await monitor.start();
  await clock.advance(10_000);
  const parentChecksBefore = t.times('parent').length;
  t.healthy.set('parent', false);
  t.healthy.set('child', false);
  await clock.advance(30_000);
  assert.ok(t.times('parent').length > parentChecksBefore, 'the parent was re-checked for the child');
  assert.equal(monitor.state('parent')!.status, 'error');
  assert.equal(monitor.state('child')!.status, 'blocked');
  await monitor.stop();
  await store.close();
});

test('checks.max_in_flight: a reload that raises the cap starts the waiting checks at once; stop ends the waits', async () => {
  const clock = fakeClock(0);
  const t = slowTargets(clock, 5000);
  const entities = Array.from({ length: 6 }, (_, i) => pingEntity(`e${i}`, [], { interval: 60, timeout: 10 }));
  const store = await openSqliteStore({ dir: tempDir() });
  const monitor = createMonitor({ config: configOf(entities, { checks: { max_in_flight: 2 } }), store, runCheck: t.runCheck, clock, random: () => 0 });
  await monitor.start();
  await clock.advance(100);
  assert.deepEqual(monitor.load(), { max: 2, limit: 2, active: 2, waiting: 4 });
  monitor.apply(configOf(entities, { checks: { max_in_flight: 5 } }));
  await clock.advance(100);
  assert.deepEqual(monitor.load(), { max: 5, limit: 5, active: 5, waiting: 1 });
  assert.equal(t.starts.length, 5);
  await monitor.stop();
  assert.deepEqual(monitor.load(), { max: 5, limit: 5, active: 0, waiting: 0 });
  assert.equal(t.starts.length, 5, 'the check still waiting at stop never ran');
  await store.close();
});

test('checks.max_in_flight: "check now" on a check waiting for a slot moves it to the front of the line', async () => {
  const clock = fakeClock(0);
  const t = slowTargets(clock, 1000);
  const entities = Array.from({ length: 5 }, (_, i) => pingEntity(`e${i}`, [], { interval: 60 }));
  const store = await openSqliteStore({ dir: tempDir() });
  const monitor = createMonitor({ config: configOf(entities, { checks: { max_in_flight: 1 } }), store, runCheck: t.runCheck, clock, random: () => 0 });
  await monitor.start();
  await clock.advance(100);
  assert.deepEqual(monitor.load(), { max: 1, limit: 1, active: 1, waiting: 4 });
  const asked = monitor.checkNow('e4');
  await clock.advance(2000);
  await asked;
  assert.deepEqual(t.starts.map((s) => s.name).slice(0, 3), ['e0', 'e4', 'e1'], 'e4 ran right after the check in flight');
  assert.equal(t.starts.filter((s) => s.name === 'e4').length, 1, 'joined its waiting check, not a second one');
  await monitor.stop();
  await store.close();
});

test('checks.max_in_flight: a wait of a second or more is logged once, and the catching up; shorter waits are not', async () => {
  const lines: { level: number; msg: string; waited_ms?: number }[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, destination);
  const run = async (count: number, ms: number) => {
    lines.length = 0;
    const clock = fakeClock(0);
    const t = slowTargets(clock, ms);
    const entities = Array.from({ length: count }, (_, i) => pingEntity(`e${i}`, [], { interval: 60 }));
    const store = await openSqliteStore({ dir: tempDir() });
    const monitor = createMonitor({ config: configOf(entities, { checks: { max_in_flight: 1 } }), store, runCheck: t.runCheck, clock, random: () => 0, logger });
    await monitor.start();
    await clock.advance(10_000);
    await monitor.stop();
    await store.close();
    await new Promise((resolve) => setImmediate(resolve));
    return lines.map((l) => l.msg).filter((m) => m.startsWith('checks '));
  };
  assert.deepEqual(await run(2, 500), [], 'a 500 ms wait is no news');
  assert.deepEqual(await run(4, 600), [
    'checks are waiting for a free slot: more are due than can run at once',
    'checks caught up: none is waiting for a slot',
  ], 'waits of 600, 1,200 and 1,800 ms: one warning, at the first over a second, and one line when caught up');
  assert.equal(lines.find((l) => l.msg.startsWith('checks are waiting'))?.waited_ms, 1200);
});
