// The contract every Store engine must meet. Uses only the Store interface, so the same suite
// runs against SQLite and PostgreSQL.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EntityState, Status, Transition } from '../../src/types.ts';
import type { Store, StoredResult } from '../../src/store/store.ts';
import { seriesContract } from './series-contract.ts';

/** Opens a fresh, empty store. */
export type OpenStore = () => Promise<Store>;
/** Opens a new store on the data of `closed`, which the suite has already closed. */
export type ReopenStore = (closed: Store) => Promise<Store>;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** A fixed clock: 06:00 UTC on a known day; tests add minutes to land inside known hours. */
const H = Date.UTC(2026, 10, 21, 6);

export function state(name: string, overrides: Partial<EntityState> = {}): EntityState {
  return {
    name, status: 'ok', since: H - DAY, lastcheck: H, success_count: 10, fail_count: 2,
    consecutive_failures: 0, consecutive_successes: 3, blocked_by: null, message: 'HTTP 200',
    latency_ms: 42, extra: { http_status: 200, runs_in: 'docker', tls: true }, last_ok: true,
    ...overrides,
  };
}

export function result(name: string, at: number, overrides: Partial<StoredResult> = {}): StoredResult {
  return { name, at, ok: true, status: 'ok', latency_ms: 12, message: 'HTTP 200', ...overrides };
}

function failed(name: string, at: number, status: Status = 'error'): StoredResult {
  return result(name, at, { ok: false, status, latency_ms: null, message: 'expected status 200, got 503' });
}

/** Saves results with a matching state whose counts follow them, like the monitor does. */
function saveAll(store: Store, results: readonly StoredResult[]): void {
  let ok = 0;
  let fail = 0;
  for (const r of results) {
    if (r.ok) ok++;
    else fail++;
    store.saveResult(r, state(r.name, { success_count: ok, fail_count: fail, lastcheck: r.at, last_ok: r.ok }));
  }
}

export function storeContract(name: string, open: OpenStore, reopen?: ReopenStore): void {
  async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  }

  describe(`Store contract: ${name}`, () => {
    it('round-trips states by name, keeping only the last one queued per entity', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.loadStates(), new Map());
        const fresh = state('fresh', {
          status: 'unknown', since: null, lastcheck: null, success_count: 0, fail_count: 0,
          consecutive_successes: 0, message: '', latency_ms: null, extra: {}, last_ok: null,
        });
        const blocked = state('api', { status: 'blocked', blocked_by: 'db', last_ok: false, message: 'down <b>&</b> "x"' });
        store.saveState(state('api', { success_count: 1 }));
        store.saveState(blocked);
        store.saveState(fresh);
        const states = await store.loadStates();
        assert.deepEqual(states, new Map([['api', blocked], ['fresh', fresh]]));
      }));

    it('saveResult stores the state with it', () =>
      withStore(async (store) => {
        const s = state('api', { success_count: 7, lastcheck: H + MIN });
        store.saveResult(result('api', H + MIN), s);
        assert.deepEqual((await store.loadStates()).get('api'), s);
      }));

    it('returns history newest first, with limit and an exclusive before cursor', () =>
      withStore(async (store) => {
        const mine = Array.from({ length: 10 }, (_, i) => result('a', H + i * MIN, { latency_ms: i }));
        saveAll(store, mine.flatMap((r, i) => [r, result('b', H + i * MIN + 1)]));
        const first = await store.history('a', { limit: 3 });
        assert.deepEqual(first.map((e) => e.at), [H + 9 * MIN, H + 8 * MIN, H + 7 * MIN]);
        const next = await store.history('a', { limit: 3, before: first[2]!.at });
        assert.deepEqual(next.map((e) => e.at), [H + 6 * MIN, H + 5 * MIN, H + 4 * MIN]);
        const rest = await store.history('a', { limit: 100, before: H + 2 * MIN });
        assert.deepEqual(rest.map((e) => e.latency_ms), [1, 0]);
        assert.equal((await store.history('a', { limit: 100 })).length, 10);
        assert.deepEqual(await store.history('nobody', { limit: 10 }), []);
        assert.deepEqual(await store.history('a', { limit: 0 }), []);
      }));

    it('keeps messages that explain something and rounds latency', () =>
      withStore(async (store) => {
        saveAll(store, [
          result('a', H, { latency_ms: 12.6, message: '200 in 13 ms' }),
          failed('a', H + 1, 'pending'),
          result('a', H + 2, { status: 'degraded', latency_ms: 1800, message: 'slow: 1800 ms > 1500 ms' }),
          result('a', H + 3, { status: 'error', message: 'HTTP 200 (1 of 2 to recover)' }),
        ]);
        const entries = await store.history('a', { limit: 10 });
        assert.deepEqual(entries.reverse(), [
          { at: H, ok: true, status: 'ok', latency_ms: 13, message: 'ok' },
          { at: H + 1, ok: false, status: 'pending', latency_ms: null, message: 'expected status 200, got 503' },
          { at: H + 2, ok: true, status: 'degraded', latency_ms: 1800, message: 'slow: 1800 ms > 1500 ms' },
          { at: H + 3, ok: true, status: 'error', latency_ms: 12, message: 'HTTP 200 (1 of 2 to recover)' },
        ]);
      }));

    it('replaces a result stored twice for the same entity and time, in history and uptime', () =>
      withStore(async (store) => {
        saveAll(store, [result('a', H + MIN)]);
        await store.flush();
        saveAll(store, [failed('a', H + MIN), result('a', H + 2 * MIN), result('a', H + 2 * MIN, { latency_ms: 99 })]);
        const entries = await store.history('a', { limit: 10 });
        assert.deepEqual(entries.map((e) => [e.at, e.ok, e.latency_ms]), [[H + 2 * MIN, true, 99], [H + MIN, false, null]]);
        assert.deepEqual(await store.uptime('a', H + 30 * MIN), { '24h': 0.5, '7d': 0.5, '30d': 0.5 });
      }));

    it('leaves results taken during maintenance out of uptime, keeps them in history', () =>
      withStore(async (store) => {
        saveAll(store, [
          result('a', H + MIN), failed('a', H + 2 * MIN, 'maintenance'), failed('a', H + 3 * MIN, 'maintenance'),
          result('a', H + 4 * MIN, { status: 'maintenance' }), failed('a', H + 5 * MIN),
        ]);
        await store.flush();
        // A maintenance result replaced by an ordinary one is counted from then on, and back.
        saveAll(store, [failed('a', H + 3 * MIN), failed('a', H + 5 * MIN, 'maintenance')]);
        const entries = await store.history('a', { limit: 10 });
        assert.deepEqual(entries.map((e) => [e.at - H, e.status]), [[5 * MIN, 'maintenance'], [4 * MIN, 'maintenance'], [3 * MIN, 'error'], [2 * MIN, 'maintenance'], [MIN, 'ok']]);
        // Counted: the pass at +1 min and the failure at +3 min.
        assert.deepEqual(await store.uptime('a', H + 30 * MIN), { '24h': 0.5, '7d': 0.5, '30d': 0.5 });
        const [hour] = await store.hoursBetween('a', H, H + HOUR);
        assert.equal(hour!.checks, 2);
        assert.equal(hour!.latency_count, 2, 'the latency during maintenance still feeds the latency figures');
      }));

    it('stores transitions, newest first', () =>
      withStore(async (store) => {
        const t = (at: number, from: Status, to: Status, extra: Partial<Transition> = {}): Transition => ({
          name: 'api', from, to, at, message: `${from} -> ${to}`, blocked_by: null, prev_since: at - HOUR, ...extra,
        });
        const all = [t(H, 'unknown', 'ok', { prev_since: null }), t(H + MIN, 'ok', 'pending'),
          t(H + 2 * MIN, 'pending', 'blocked', { blocked_by: 'db' }), t(H + 3 * MIN, 'blocked', 'ok')];
        for (const x of all) store.saveTransition(x);
        store.saveTransition({ ...all[1]!, name: 'other' });
        assert.deepEqual(await store.transitions('api', 3), [all[3], all[2], all[1]]);
        assert.deepEqual(await store.transitions('other', 10), [{ ...all[1]!, name: 'other' }]);
        assert.deepEqual(await store.transitions('nobody', 10), []);
      }));

    if (reopen !== undefined) {
      it('keeps everything queued across close and reopen', async () => {
        const first = await open();
        saveAll(first, [result('a', H), failed('a', H + MIN)]);
        first.saveTransition({ name: 'a', from: 'ok', to: 'pending', at: H + MIN, message: 'x', blocked_by: null, prev_since: H });
        await first.close();
        const store = await reopen(first);
        try {
          assert.deepEqual((await store.history('a', { limit: 10 })).map((e) => e.at), [H + MIN, H]);
          assert.equal((await store.transitions('a', 10)).length, 1);
          assert.deepEqual((await store.loadStates()).get('a'), state('a', { success_count: 1, fail_count: 1, lastcheck: H + MIN, last_ok: false }));
        } finally {
          await store.close();
        }
      });

      it('continues an entity that left the configuration and came back, by name', async () => {
        const first = await open();
        first.saveState(state('gone', { success_count: 5, fail_count: 1 }));
        first.saveState(state('stays'));
        await first.close();
        const second = await reopen(first);
        // Only 'stays' is configured now; 'gone' keeps its data untouched.
        second.saveState(state('stays', { success_count: 11 }));
        await second.close();
        const store = await reopen(second);
        try {
          const states = await store.loadStates();
          assert.deepEqual(states.get('gone'), state('gone', { success_count: 5, fail_count: 1 }));
          assert.equal(states.get('stays')?.success_count, 11);
        } finally {
          await store.close();
        }
      });
    }

    it('computes uptime per window from hourly aggregates', () =>
      withStore(async (store) => {
        const now = H + 30 * MIN;
        // Current hour: 3 of 4 ok. Three days ago: 10 of 10. Twenty days ago: 0 of 2.
        saveAll(store, [result('a', H + MIN), result('a', H + 2 * MIN), failed('a', H + 3 * MIN), result('a', H + 20 * MIN)]);
        saveAll(store, Array.from({ length: 10 }, (_, i) => result('a', H - 3 * DAY + i * MIN)));
        saveAll(store, [failed('a', H - 20 * DAY), failed('a', H - 20 * DAY + 5 * HOUR)]);
        assert.deepEqual(await store.uptime('a', now), { '24h': 0.75, '7d': 0.9286, '30d': 0.8125 });
        assert.deepEqual(await store.uptime('nobody', now), { '24h': null, '7d': null, '30d': null });
        // Seen only as 20 days old: nothing within 24 h or 7 d.
        assert.deepEqual(await store.uptime('a', H - 20 * DAY + 6 * HOUR), { '24h': 0, '7d': 0, '30d': 0 });
        assert.deepEqual(await store.uptime('a', H - 12 * DAY), { '24h': null, '7d': null, '30d': 0 });
      }));

    it('bounds uptime windows on whole hour buckets', () =>
      withStore(async (store) => {
        const now = H + 30 * MIN; // the 24h window starts in bucket H - 24h
        saveAll(store, [
          failed('a', H - DAY + 5 * MIN), // before now - 24h but in its hour bucket: counted
          failed('a', H - DAY - MIN), // the bucket before: not counted in 24h
          result('a', H + 29 * MIN),
          failed('a', H + HOUR), // after now, in a later bucket: never counted
          failed('a', H - 7 * DAY - 1), // bucket before the 7d window's first
          result('a', H - 30 * DAY + 10 * MIN), // in the 30d window's first bucket
          failed('a', H - 30 * DAY - 1), // the bucket before: outside every window
        ]);
        assert.deepEqual(await store.uptime('a', now), { '24h': 0.5, '7d': 0.3333, '30d': 0.4 });
      }));

    it('uptimeAll agrees with uptime for every entity', () =>
      withStore(async (store) => {
        const now = H + 30 * MIN;
        saveAll(store, [result('a', H), failed('a', H + MIN), result('a', H - 2 * DAY)]);
        saveAll(store, [failed('b', H - 10 * DAY), result('b', H - 10 * DAY + 1), result('b', H - 10 * DAY + 2)]);
        store.saveState(state('idle'));
        const all = await store.uptimeAll(now);
        assert.deepEqual([...all.keys()].sort(), ['a', 'b', 'idle']);
        for (const name of ['a', 'b', 'idle']) assert.deepEqual(all.get(name), await store.uptime(name, now), name);
        assert.deepEqual(all.get('a'), { '24h': 0.5, '7d': 0.6667, '30d': 0.6667 });
        assert.deepEqual(all.get('idle'), { '24h': null, '7d': null, '30d': null });

        // Later writes show, whether into the current hour, an old one, or a new entity.
        saveAll(store, [failed('a', H + 2 * MIN), failed('a', H - 5 * DAY), failed('b', H - 2 * HOUR)]);
        store.saveState(state('new'));
        const later = await store.uptimeAll(now);
        for (const name of ['a', 'b', 'idle', 'new']) assert.deepEqual(later.get(name), await store.uptime(name, now), name);
        assert.deepEqual(later.get('a'), { '24h': 0.3333, '7d': 0.4, '30d': 0.4 });
        assert.deepEqual(later.get('b'), { '24h': 0, '7d': 0, '30d': 0.5 });
      }));

    it('firstChecks agrees with firstCheck for every checked entity, before and after pruning', () =>
      withStore(async (store) => {
        const now = H + 30 * MIN;
        saveAll(store, [result('a', H - 10 * DAY + 17 * MIN), failed('a', H - 2 * DAY), result('a', H)]);
        saveAll(store, [failed('b', H - 25 * MIN), result('b', H - 24 * MIN)]);
        store.saveState(state('idle'));
        const all = await store.firstChecks();
        assert.deepEqual([...all.keys()].sort(), ['a', 'b'], 'never-checked entities have no entry');
        assert.equal(all.get('a'), H - 10 * DAY + 17 * MIN);
        assert.equal(all.get('b'), H - 25 * MIN);
        for (const name of ['a', 'b']) assert.equal(all.get(name), await store.firstCheck(name), name);
        assert.equal(await store.firstCheck('idle'), null);

        // Raw results pruned: the first hour's aggregate still says when checking began.
        await store.prune(now - 7 * DAY, now - 400 * DAY);
        const pruned = await store.firstChecks();
        assert.equal(pruned.get('a'), H - 10 * DAY);
        assert.equal(pruned.get('a'), await store.firstCheck('a'));
        assert.equal(pruned.get('b'), H - 25 * MIN);
      }));

    it('prunes only old rows and returns how many results it removed', () =>
      withStore(async (store) => {
        const now = H + 30 * MIN;
        // More old rows than one delete batch, to cross batch boundaries.
        const old = Array.from({ length: 12_000 }, (_, i) => result('a', now - 10 * DAY - i * 1000));
        saveAll(store, [...old, result('b', now - 8 * DAY), result('a', now - 7 * DAY + 1), result('b', now - MIN)]);
        assert.equal(await store.prune(now - 7 * DAY, now - 400 * DAY), 12_001);
        assert.deepEqual((await store.history('a', { limit: 10 })).map((e) => e.at), [now - 7 * DAY + 1]);
        assert.deepEqual((await store.history('b', { limit: 10 })).map((e) => e.at), [now - MIN]);
        // Aggregates outlive raw results, until their own cutoff.
        assert.equal((await store.uptimeAll(now)).get('a')?.['30d'], 1);
        assert.equal(await store.prune(now - 7 * DAY, now - 9 * DAY), 0);
        const after = await store.uptimeAll(now);
        assert.deepEqual(after.get('a'), { '24h': null, '7d': 1, '30d': 1 });
        assert.equal(await store.uptime('a', now - 7 * DAY + HOUR).then((u) => u['30d']), 1);
        assert.equal(await store.uptime('a', now - 10 * DAY + HOUR).then((u) => u['30d']), null);
      }));

    it('keeps a durable outbox: dedupe by key, due order, retry, sent, drop, depth', () =>
      withStore(async (store) => {
        const msg = (key: string, created_at: number, channel = 'telegram') => ({ channel, key, payload: `{"k":"${key}"}`, created_at });
        assert.equal(await store.outboxAdd(msg('t1', H)), true);
        assert.equal(await store.outboxAdd(msg('t2', H - MIN, 'webhook')), true);
        assert.equal(await store.outboxAdd(msg('t1', H + MIN)), false);
        assert.equal(await store.outboxAdd(msg('later', H + HOUR)), true);
        assert.equal(await store.outboxDepth(), 3);

        const due = await store.outboxDue(H, 10);
        assert.deepEqual(due.map((m) => m.key), ['t1', 't2']); // by id, not by time
        assert.deepEqual(due[0], { id: due[0]!.id, channel: 'telegram', key: 't1', payload: '{"k":"t1"}', created_at: H, attempts: 0, next_attempt_at: H, last_error: null });
        assert.equal((await store.outboxDue(H, 1)).length, 1);

        await store.outboxRetry(due[0]!.id, '429 retry after 30', H + 30_000);
        assert.deepEqual((await store.outboxDue(H + 1000, 10)).map((m) => m.key), ['t2']);
        const retried = (await store.outboxDue(H + 30_000, 10))[0]!;
        assert.deepEqual([retried.key, retried.attempts, retried.last_error, retried.next_attempt_at], ['t1', 1, '429 retry after 30', H + 30_000]);

        await store.outboxSent(due[0]!.id, H + 31_000);
        await store.outboxDrop(due[1]!.id, 'webhook removed', H + 31_000);
        assert.equal(await store.outboxDepth(), 1);
        assert.deepEqual((await store.outboxDue(H + 2 * HOUR, 10)).map((m) => m.key), ['later']);
        // Done messages still hold their keys: a transition is never announced twice.
        assert.equal(await store.outboxAdd(msg('t1', H + 2 * HOUR)), false);
        assert.equal(await store.outboxAdd(msg('t2', H + 2 * HOUR)), false);
      }));

    seriesContract(withStore);

    it('keeps meta values', () =>
      withStore(async (store) => {
        assert.equal(await store.getMeta('reminder:api'), null);
        await store.setMeta('reminder:api', '1');
        await store.setMeta('reminder:api', '2');
        await store.setMeta('cert:api', '');
        assert.equal(await store.getMeta('reminder:api'), '2');
        assert.equal(await store.getMeta('cert:api'), '');
      }));

    it('writes several meta values in one go, the last of a key given twice', () =>
      withStore(async (store) => {
        await store.setMeta('probe-result:a:fra', 'old');
        await store.setMetaMany([['probe-result:a:fra', '1'], ['probe-result:b:fra', '2'], ['probe-result:a:fra', '3']]);
        await store.setMetaMany([]);
        assert.deepEqual([await store.getMeta('probe-result:a:fra'), await store.getMeta('probe-result:b:fra')], ['3', '2']);
      }));

    it('writes what was queued on flush, and reads see queued writes', () =>
      withStore(async (store) => {
        store.saveResult(result('a', H), state('a'));
        assert.equal((await store.history('a', { limit: 1 })).length, 1);
        store.saveResult(result('a', H + 1), state('a', { success_count: 99 }));
        await store.flush();
        await store.flush(); // nothing queued: a no-op
        assert.equal((await store.loadStates()).get('a')?.success_count, 99);
      }));
  });
}
