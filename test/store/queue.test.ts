import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteQueue } from '../../src/store/queue.ts';
import type { WriteBatch, WriteQueueOptions } from '../../src/store/queue.ts';
import { result, state } from './contract.ts';

function recorder(overrides: Partial<WriteQueueOptions> = {}) {
  const batches: WriteBatch[] = [];
  const errors: unknown[] = [];
  let failures = 0;
  const queue = createWriteQueue({
    write: (batch) => {
      if (failures > 0) {
        failures--;
        throw new Error('disk full');
      }
      batches.push(batch);
    },
    onError: (error) => errors.push(error),
    flushIntervalMs: 200,
    maxBatch: 3,
    ...overrides,
  });
  return { queue, batches, errors, failNext: (n: number) => (failures = n) };
}

/** Lets the promise chain of a timer-driven write run, without flushing ourselves. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('write queue', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setImmediate'] }));
  afterEach(() => mock.timers.reset());

  it('writes on the timer, coalescing states per entity', async () => {
    const { queue, batches } = recorder();
    queue.addResult(result('a', 1), state('a', { success_count: 1 }));
    queue.addState(state('a', { success_count: 2 }));
    queue.addTransition({ name: 'a', from: 'ok', to: 'pending', at: 1, message: '', blocked_by: null, prev_since: null });
    mock.timers.tick(199);
    await settle();
    assert.equal(batches.length, 0);
    mock.timers.tick(1);
    await settle();
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0]!.results.map((r) => r.at), [1]);
    assert.deepEqual([...batches[0]!.states.values()].map((s) => s.success_count), [2]);
    assert.equal(batches[0]!.transitions.length, 1);
  });

  it('writes a full batch at once', async () => {
    const { queue, batches } = recorder();
    for (let i = 0; i < 3; i++) queue.addResult(result('a', i), state('a'));
    assert.equal(batches.length, 0, 'enqueueing does no I/O');
    mock.timers.tick(0);
    await settle();
    assert.deepEqual(batches.map((b) => b.results.length), [3]);
  });

  it('keeps a failed batch in front of newer writes and retries it', async () => {
    const { queue, batches, errors, failNext } = recorder();
    queue.addResult(result('a', 1), state('a', { success_count: 1 }));
    failNext(1);
    await assert.rejects(queue.flush(), /disk full/);
    queue.addResult(result('a', 2), state('a', { success_count: 2 }));
    await queue.flush();
    assert.deepEqual(batches[0]!.results.map((r) => r.at), [1, 2]);
    assert.equal(batches[0]!.states.get('a')?.success_count, 2, 'the newer state wins');

    queue.addResult(result('b', 3), state('b'));
    failNext(1);
    mock.timers.tick(200); // a timer-driven failure is reported, then retried a second later
    await settle();
    assert.equal(errors.length, 1);
    mock.timers.tick(999);
    await settle();
    assert.equal(batches.length, 1);
    mock.timers.tick(1);
    await settle();
    assert.deepEqual(batches.at(-1)!.results.map((r) => r.at), [3]);
  });

  it('drops the oldest entries beyond maxPending while writes fail', async () => {
    const { queue, batches, failNext } = recorder({ maxBatch: 100, maxPending: 2 });
    for (let i = 0; i < 3; i++) queue.addResult(result('a', i), state('a'));
    assert.deepEqual(queue.backlog(), { queued: 4, dropped: 0 }, 'three results and one state');
    failNext(1);
    await assert.rejects(queue.flush());
    assert.deepEqual(queue.backlog(), { queued: 3, dropped: 1 });
    await queue.flush();
    assert.deepEqual(queue.backlog(), { queued: 0, dropped: 1 });
    assert.deepEqual(batches[0]!.results.map((r) => r.at), [1, 2]);
  });

  it('flushes on close and refuses writes afterwards', async () => {
    const { queue, batches } = recorder();
    queue.addState(state('a'));
    await queue.close();
    assert.equal(batches.length, 1);
    assert.throws(() => queue.addState(state('a')), /store is closed/);
  });
});
