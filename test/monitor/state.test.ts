import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyVerdict, initialState, reduceState, reevaluate, successRatio } from '../../src/monitor/state.ts';
import type { DependencyLookup } from '../../src/monitor/state.ts';
import type { CheckResult, Entity, EntityState, Status } from '../../src/types.ts';
import { pingEntity } from '../helpers/entities.ts';

const pass = (at: number, extra: Partial<CheckResult> = {}): CheckResult =>
  ({ ok: true, degraded: false, latency_ms: 5, message: 'reply in 5 ms', extra: {}, at, ...extra });
const fail = (at: number): CheckResult =>
  ({ ok: false, degraded: false, latency_ms: null, message: 'connection refused', extra: {}, at });

/** A tiny world of entities and states that the reducer reads through a DependencyLookup. */
function world(entities: Entity[], states: Record<string, Partial<EntityState>> = {}) {
  const map = new Map<string, EntityState>();
  for (const e of entities) map.set(e.name, { ...initialState(e.name), ...states[e.name] });
  const byName = new Map(entities.map((e) => [e.name, e]));
  const lookup: DependencyLookup = {
    state: (n) => map.get(n),
    dependencies: (n) => byName.get(n)?.dependencies ?? [],
  };
  /** Feeds results to one entity and returns the statuses it went through. */
  function feed(name: string, results: CheckResult[]): Status[] {
    const out: Status[] = [];
    for (const r of results) {
      const { state } = reduceState(map.get(name)!, r, byName.get(name)!, lookup);
      map.set(name, state);
      out.push(state.status);
    }
    return out;
  }
  return { map, lookup, feed, entity: (n: string) => byName.get(n)! };
}

test('status sequences for a single entity', async (t) => {
  const cases: { name: string; failure_threshold?: number; success_threshold?: number; results: ('p' | 'f' | 'd')[]; statuses: Status[] }[] = [
    { name: 'first pass is ok', results: ['p'], statuses: ['ok'] },
    { name: 'slow pass is degraded', results: ['d', 'p'], statuses: ['degraded', 'ok'] },
    { name: 'failures walk ok -> pending -> error', results: ['p', 'f', 'f', 'f'], statuses: ['ok', 'pending', 'pending', 'error'] },
    { name: 'pending recovers with one pass', results: ['p', 'f', 'f', 'p'], statuses: ['ok', 'pending', 'pending', 'ok'] },
    { name: 'threshold 1 confirms at once', failure_threshold: 1, results: ['f'], statuses: ['error'] },
    { name: 'error stays until success_threshold passes', success_threshold: 2, results: ['f', 'f', 'f', 'p', 'p'], statuses: ['pending', 'pending', 'error', 'error', 'ok'] },
    { name: 'a failure interrupts recovery', success_threshold: 2, results: ['f', 'f', 'f', 'p', 'f', 'p', 'p'], statuses: ['pending', 'pending', 'error', 'error', 'error', 'error', 'ok'] },
    { name: 'error -> degraded on a slow pass', results: ['f', 'f', 'f', 'd'], statuses: ['pending', 'pending', 'error', 'degraded'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const e = pingEntity('a', [], { failure_threshold: c.failure_threshold ?? 3, success_threshold: c.success_threshold ?? 1 });
      const w = world([e]);
      const results = c.results.map((r, i) => (r === 'f' ? fail(i) : pass(i, { degraded: r === 'd' })));
      assert.deepEqual(w.feed('a', results), c.statuses);
    });
  }
});

test('counts, ratio, since and transitions', () => {
  const e = pingEntity('a', []);
  let s = initialState('a');
  assert.equal(successRatio(s), 0);
  const lookup: DependencyLookup = { state: () => undefined, dependencies: () => [] };
  const r1 = reduceState(s, pass(1000), e, lookup);
  assert.deepEqual(r1.transition, { name: 'a', from: 'unknown', to: 'ok', at: 1000, message: 'reply in 5 ms', blocked_by: null, prev_since: null });
  s = r1.state;
  assert.equal(s.since, 1000);
  const r2 = reduceState(s, pass(2000), e, lookup);
  assert.equal(r2.transition, null);
  assert.equal(r2.state.since, 1000, 'since stays while the status stays');
  s = reduceState(r2.state, fail(3000), e, lookup).state;
  assert.equal(s.status, 'pending');
  assert.equal(s.since, 3000);
  assert.deepEqual([s.success_count, s.fail_count, s.consecutive_failures], [2, 1, 1]);
  assert.equal(successRatio(s), 0.6667);
  assert.equal(s.lastcheck, 3000);
  assert.equal(s.message, 'connection refused');
});

test('a chain a -> b -> c where c fails: a and b are blocked by c', () => {
  const a = pingEntity('a', ['b']);
  const b = pingEntity('b', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, b, c]);
  w.feed('c', [fail(1), fail(2), fail(3)]);
  assert.equal(w.map.get('c')!.status, 'error');
  assert.deepEqual(w.feed('b', [fail(4), fail(5), fail(6)]), ['pending', 'pending', 'blocked']);
  assert.deepEqual(w.feed('a', [fail(4), fail(5), fail(6)]), ['pending', 'pending', 'blocked']);
  assert.equal(w.map.get('b')!.blocked_by, 'c');
  assert.equal(w.map.get('a')!.blocked_by, 'c', 'the root is found transitively');
});

test('the root recovers first: dependents that still fail become error, passing ones ok', () => {
  const a = pingEntity('a', ['c']);
  const b = pingEntity('b', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, b, c]);
  w.feed('c', [fail(1), fail(2), fail(3)]);
  w.feed('a', [fail(1), fail(2), fail(3)]);
  w.feed('b', [fail(1), fail(2), fail(3)]);
  assert.equal(w.map.get('a')!.status, 'blocked');
  w.feed('c', [pass(10)]);
  const ra = reevaluate(w.map.get('a')!, a, w.lookup, 11);
  assert.equal(ra.recheck, true, 'results taken while the root was down do not decide: check again');
  assert.equal(ra.state, w.map.get('a'), 'and nothing changes until that check is in');
  assert.equal(ra.transition, null);
  assert.deepEqual(w.feed('a', [fail(12)]), ['error'], 'a fresh failure with the root up is its own error');
  assert.equal(w.map.get('a')!.blocked_by, null);
  assert.deepEqual(w.feed('b', [pass(12)]), ['ok']);
});

test('a child recovers first while the root is still down', () => {
  const a = pingEntity('a', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, c]);
  w.feed('c', [fail(1), fail(2), fail(3)]);
  w.feed('a', [fail(1), fail(2), fail(3)]);
  assert.deepEqual(w.feed('a', [pass(4)]), ['ok']);
  assert.equal(w.map.get('a')!.blocked_by, null);
  assert.equal(w.map.get('c')!.status, 'error');
});

test('a dependency that fails while its child passes: the child stays ok', () => {
  const a = pingEntity('a', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, c]);
  w.feed('c', [fail(1), fail(2), fail(3)]);
  assert.deepEqual(w.feed('a', [pass(1), pass(2)]), ['ok', 'ok']);
});

test('a confirmed failure waits while a dependency is pending, then becomes blocked', () => {
  const a = pingEntity('a', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, c]);
  w.feed('c', [fail(1)]);
  assert.deepEqual(w.feed('a', [fail(1), fail(2), fail(3)]), ['pending', 'pending', 'pending']);
  assert.deepEqual(dependencyVerdict('a', w.lookup), { root: null, waitingFor: 'c' });
  w.feed('c', [fail(2), fail(3)]);
  const r = reevaluate(w.map.get('a')!, a, w.lookup, 4);
  assert.equal(r.recheck, false);
  assert.equal(r.state.status, 'blocked');
  assert.equal(r.state.blocked_by, 'c');
});

test('an announced error becomes blocked when its root is confirmed later, and keeps failing counts', () => {
  const a = pingEntity('a', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, c]);
  w.feed('a', [fail(1), fail(2), fail(3)]);
  assert.equal(w.map.get('a')!.status, 'error');
  w.feed('c', [fail(4), fail(5), fail(6)]);
  const r = reevaluate(w.map.get('a')!, a, w.lookup, 7);
  assert.equal(r.state.status, 'blocked');
  assert.equal(r.state.fail_count, 3);
  assert.deepEqual(r.transition && [r.transition.from, r.transition.to, r.transition.blocked_by], ['error', 'blocked', 'c']);
});

test('reevaluate leaves passing and unconfirmed entities alone', () => {
  const a = pingEntity('a', ['c']);
  const c = pingEntity('c', []);
  const w = world([a, c], { c: { status: 'error' } });
  w.feed('a', [pass(1)]);
  const prev = w.map.get('a')!;
  assert.equal(reevaluate(prev, a, w.lookup, 2).state, prev);
  w.feed('a', [fail(3)]);
  const pending = w.map.get('a')!;
  assert.equal(reevaluate(pending, a, w.lookup, 4).state, pending);
});
