import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLimiter } from '../../src/monitor/limiter.ts';
import { createPacer, FLOOR } from '../../src/monitor/pacer.ts';
import { fakeClock } from '../helpers/clock.ts';

/** A limiter with every slot taken and checks waiting, as when more checks are due than run. */
function saturated(clock: ReturnType<typeof fakeClock>, max: number, busy: { value: number }) {
  const limiter = createLimiter(max);
  const pacer = createPacer({ limiter, clock, max, busy: () => busy.value });
  const keepWaiting = (): void => {
    while (limiter.active < limiter.max) limiter.acquire();
    void limiter.acquire();
  };
  return { limiter, pacer, keepWaiting };
}

async function seconds(clock: ReturnType<typeof fakeClock>, n: number, each: () => void, read: () => number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    each();
    await clock.advance(1000);
    seen.push(read());
  }
  return seen;
}

test('a calm process with checks waiting runs more at once, up to max_in_flight; without waits it holds', async () => {
  const clock = fakeClock(0);
  const busy = { value: 0.3 };
  const { limiter, pacer, keepWaiting } = saturated(clock, 300, busy);
  assert.equal(pacer.limit, FLOOR);
  pacer.start();
  await clock.advance(5000);
  assert.equal(pacer.limit, FLOOR, 'nothing waited: no reason to let more run');
  const seen = await seconds(clock, 10, keepWaiting, () => pacer.limit);
  assert.deepEqual(seen.slice(0, 3), [126, 159, 200], 'a quarter more each second');
  assert.equal(seen.at(-1), 300);
  assert.equal(Math.max(...seen), 300, 'never past checks.max_in_flight');
  assert.equal(limiter.max, 300, 'the limiter follows the pacer');
  pacer.stop();
});

test('a busy process runs fewer at once again, down to the floor and no further', async () => {
  const clock = fakeClock(0);
  const busy = { value: 0.3 };
  const { limiter, pacer, keepWaiting } = saturated(clock, 1000, busy);
  pacer.start();
  await seconds(clock, 12, keepWaiting, () => pacer.limit);
  assert.equal(pacer.limit, 1000);
  busy.value = 0.99;
  const seen = await seconds(clock, 15, keepWaiting, () => pacer.limit);
  assert.deepEqual(seen.slice(0, 3), [800, 640, 512], 'a fifth fewer each second');
  assert.equal(seen.at(-1), FLOOR);
  assert.equal(Math.min(...seen), FLOOR);
  assert.equal(limiter.max, FLOOR);
  pacer.stop();
});

test('between calm and busy the limit holds, even with checks waiting', async () => {
  const clock = fakeClock(0);
  const busy = { value: 0.6 };
  const { pacer, keepWaiting } = saturated(clock, 1000, busy);
  pacer.start();
  await seconds(clock, 5, keepWaiting, () => pacer.limit);
  assert.equal(pacer.limit, FLOOR);
  pacer.stop();
});

test('a new max_in_flight takes effect at once; a max below the floor is the limit, never paced lower', async () => {
  const clock = fakeClock(0);
  const limiter = createLimiter(1);
  const busy = { value: 1 };
  const pacer = createPacer({ limiter, clock, max: 5, busy: () => busy.value });
  assert.equal(pacer.limit, 5);
  pacer.setMax(40);
  assert.equal(pacer.limit, 40);
  pacer.setMax(2000);
  assert.equal(pacer.limit, FLOOR);
  pacer.setMax(10);
  assert.deepEqual([pacer.limit, limiter.max], [10, 10]);
  pacer.start();
  await seconds(clock, 5, () => { while (limiter.active < limiter.max) limiter.acquire(); void limiter.acquire(); }, () => pacer.limit);
  assert.equal(pacer.limit, 10);
  pacer.stop();
});
