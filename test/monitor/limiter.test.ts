import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLimiter } from '../../src/monitor/limiter.ts';

test('slots are taken at once up to the cap; past it checks wait in the order they came', async () => {
  const limiter = createLimiter(2);
  assert.equal(limiter.acquire(), null);
  assert.equal(limiter.acquire(), null);
  const order: string[] = [];
  const third = limiter.acquire()!.granted.then((go) => { order.push(`third ${go}`); });
  const fourth = limiter.acquire()!.granted.then((go) => { order.push(`fourth ${go}`); });
  assert.deepEqual([limiter.active, limiter.waiting], [2, 2]);
  limiter.release();
  await third;
  assert.deepEqual(order, ['third true']);
  assert.deepEqual([limiter.active, limiter.waiting], [2, 1]);
  limiter.release();
  await fourth;
  assert.deepEqual(order, ['third true', 'fourth true']);
  assert.deepEqual([limiter.active, limiter.waiting], [2, 0]);
});

test('an urgent wait goes before those already waiting', async () => {
  const limiter = createLimiter(1);
  assert.equal(limiter.acquire(), null);
  const order: string[] = [];
  const due = limiter.acquire()!.granted.then(() => order.push('due'));
  const urgent = limiter.acquire(true)!.granted.then(() => order.push('urgent'));
  limiter.release();
  await urgent;
  limiter.release();
  await due;
  assert.deepEqual(order, ['urgent', 'due']);
});

test('raising the cap hands out slots at once; cancelAll ends every wait with false', async () => {
  const limiter = createLimiter(1);
  limiter.acquire();
  const a = limiter.acquire()!;
  const b = limiter.acquire()!;
  const c = limiter.acquire()!;
  limiter.setMax(2);
  assert.equal(await a.granted, true);
  assert.deepEqual([limiter.active, limiter.waiting], [2, 2]);
  limiter.cancelAll();
  assert.deepEqual([await b.granted, await c.granted], [false, false]);
  assert.equal(limiter.waiting, 0);
});

test('onBehind is told once per spell of waiting, onCaughtUp when the line empties', () => {
  const told: string[] = [];
  const limiter = createLimiter(1, { onBehind: (w, a) => told.push(`behind ${w}/${a}`), onCaughtUp: () => told.push('caught up') });
  limiter.acquire();
  void limiter.acquire();
  void limiter.acquire();
  assert.deepEqual(told, ['behind 1/1']);
  limiter.release();
  assert.deepEqual(told, ['behind 1/1']);
  limiter.release();
  assert.deepEqual(told, ['behind 1/1', 'caught up']);
  limiter.release();
  void limiter.acquire();
  assert.deepEqual(told, ['behind 1/1', 'caught up'], 'a free slot is no wait');
});

test('a long line keeps its order across the internal compaction', async () => {
  const limiter = createLimiter(1);
  limiter.acquire();
  const got: number[] = [];
  const waits = Array.from({ length: 5000 }, (_, i) => limiter.acquire()!.granted.then(() => { got.push(i); }));
  for (let i = 0; i < 5000; i++) limiter.release();
  await Promise.all(waits);
  assert.deepEqual(got, Array.from({ length: 5000 }, (_, i) => i));
  assert.deepEqual([limiter.active, limiter.waiting], [1, 0]);
});

test('a cap that is not a positive number means no cap', () => {
  for (const max of [0, -3, Number.NaN]) {
    const limiter = createLimiter(max);
    for (let i = 0; i < 100; i++) assert.equal(limiter.acquire(), null);
  }
});

test('a wait hurried (its check asked for now) goes before those that came first, and takes one slot', async () => {
  const limiter = createLimiter(1);
  limiter.acquire();
  const order: string[] = [];
  const first = limiter.acquire()!;
  const second = limiter.acquire()!;
  const third = limiter.acquire()!;
  for (const [name, w] of [['first', first], ['second', second], ['third', third]] as const) void w.granted.then(() => order.push(name));
  third.hurry();
  third.hurry();
  assert.equal(limiter.waiting, 3, 'hurrying moves a wait, it does not add one');
  limiter.release();
  await third.granted;
  limiter.release();
  await first.granted;
  limiter.release();
  await second.granted;
  assert.deepEqual(order, ['third', 'first', 'second']);
  assert.deepEqual([limiter.active, limiter.waiting], [1, 0]);
  limiter.release();
  assert.equal(limiter.acquire(), null, 'the entry left behind in the other line is not handed a slot');
  assert.equal(limiter.active, 1);
});
