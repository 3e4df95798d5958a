import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler } from '../../src/monitor/scheduler.ts';
import { fakeClock } from '../helpers/clock.ts';

test('a check that outlasts its interval never overlaps itself', async () => {
  const clock = fakeClock(0);
  let running = 0;
  let maxRunning = 0;
  const starts: number[] = [];
  let release: () => void = () => {};
  const scheduler = createScheduler({
    clock,
    nextDelay: () => 1000,
    run: () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      starts.push(clock.now());
      return new Promise<void>((resolve) => { release = () => { running -= 1; resolve(); }; });
    },
  });
  scheduler.add('slow', 0);
  await clock.advance(5500);
  assert.deepEqual(starts, [0], 'no second check while the first is in flight');
  release();
  await clock.advance(0);
  assert.deepEqual(starts, [0, 5500], 'an overrun check starts the next one right away');
  release();
  await clock.advance(1000);
  assert.deepEqual(starts, [0, 5500, 6500], 'then the cadence resumes');
  assert.equal(maxRunning, 1);
  scheduler.stop();
  release();
});

test('cadence follows the planned start, not the end of the check', async () => {
  const clock = fakeClock(0);
  const starts: number[] = [];
  const scheduler = createScheduler({
    clock,
    nextDelay: () => 1000,
    run: async () => {
      starts.push(clock.now());
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 300));
    },
  });
  scheduler.add('a', 100);
  await clock.advance(3200);
  assert.deepEqual(starts, [100, 1100, 2100, 3100]);
  scheduler.stop();
});

test('runNow joins a check in flight instead of starting another; remove and stop cancel timers', async () => {
  const clock = fakeClock(0);
  let runs = 0;
  let release: () => void = () => {};
  const scheduler = createScheduler({
    clock,
    nextDelay: () => 1000,
    run: () => { runs += 1; return new Promise<void>((resolve) => { release = resolve; }); },
  });
  scheduler.add('a', 0);
  await clock.advance(0);
  const joined = scheduler.runNow('a');
  assert.equal(runs, 1);
  release();
  await joined;
  scheduler.remove('a');
  await clock.advance(10_000);
  assert.equal(runs, 1, 'a removed entity is not checked again');
  assert.equal(scheduler.has('a'), false);
  scheduler.add('b', 500);
  scheduler.stop();
  await clock.advance(10_000);
  assert.equal(runs, 1, 'stop cancels every timer');
  assert.equal(clock.pendingTimers(), 0);
});

test('checks start on a 100 ms grid; lateness is measured against the exact plan', async () => {
  const clock = fakeClock(0);
  const late: number[] = [];
  const starts: number[] = [];
  const scheduler = createScheduler({
    clock, nextDelay: () => 1000, run: async (_n, ms) => { starts.push(clock.now()); late.push(ms); },
  });
  scheduler.add('a', 250);
  scheduler.add('b', 230);
  await clock.advance(2500);
  assert.deepEqual(starts, [300, 300, 1300, 1300, 2300, 2300], 'both fire in the same wake-up');
  assert.deepEqual(late, [50, 70, 50, 70, 50, 70], 'a (planned 250) is 50 ms late, b (230) 70 ms, every time: no drift');
  scheduler.stop();
});

test('with granularityMs 1 checks start exactly on plan', async () => {
  const clock = fakeClock(0);
  const late: number[] = [];
  const scheduler = createScheduler({
    clock, granularityMs: 1, nextDelay: () => 1000, run: async (_n, ms) => { late.push(ms); },
  });
  scheduler.add('a', 250);
  await clock.advance(2500);
  assert.deepEqual(late, [0, 0, 0]);
  scheduler.stop();
});
