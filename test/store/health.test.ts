// Store failure as a state: a failing store is marked unavailable once, calls fail fast while it
// is, a probe with growing pauses notices its return, and the writes queued meanwhile land.
// First through a store that throws the engines' errors, then on a real full (and read-only) disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWatchedStore, StoreUnavailableError } from '../../src/store/health.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { fakeClock } from '../helpers/clock.ts';
import { connectionLostError, diskFullError, faultyStore, mountSmallDisk, writeUntilRefused } from '../helpers/faulty-store.ts';
import { captureLogger, tempStore } from '../alerts/helpers.ts';
import { result, state } from './contract.ts';

const messagesOf = (lines: string[]) => lines.map((l) => JSON.parse(l).msg as string);

test('a failing store is unavailable until a probe can write again; the queue is written then', async () => {
  const temp = await tempStore();
  const faulty = faultyStore(temp.store);
  const clock = fakeClock();
  const { logger, lines } = captureLogger();
  const health = await openWatchedStore(async () => faulty.store, { clock, logger, probeBaseMs: 1000, probeMaxMs: 10_000 });
  const told: boolean[] = [];
  health.listen((ok) => told.push(ok));
  const { store } = health;
  try {
    assert.deepEqual(health.status(), { ok: true, kind: 'sqlite', error: null, since: null, queued: 0, dropped: 0 });
    faulty.fail(connectionLostError(), 'all');
    for (let i = 1; i <= 3; i++) store.saveResult(result('a', i * 1000), state('a'));
    await assert.rejects(store.flush(), (err: Error) => err instanceof StoreUnavailableError && err.message === 'store unavailable: Connection terminated unexpectedly');
    assert.deepEqual(health.status(), { ok: false, kind: 'sqlite', error: 'Connection terminated unexpectedly', since: clock.now(), queued: 4, dropped: 0 });
    // Later calls fail at once, without reaching the store.
    await assert.rejects(store.outboxDepth(), StoreUnavailableError);
    await assert.rejects(store.history('a', { limit: 10 }), /store unavailable/);
    assert.equal(faulty.refused.get('outboxDepth'), undefined);
    assert.equal(faulty.refused.get('history'), undefined);
    // Probes back off: 1, 2, 4, 8, 10, 10 ... seconds.
    await clock.advance(44_000);
    assert.equal(faulty.refused.get('flush'), 1 + 6, 'the first failure, then probes at 1, 3, 7, 15, 25 and 35 s');
    faulty.fail(null);
    await clock.advance(10_000);
    assert.equal(health.status().ok, true);
    assert.equal(health.status().queued, 0);
    assert.deepEqual(told, [false, true]);
    assert.deepEqual((await store.history('a', { limit: 10 })).map((h) => h.at), [3000, 2000, 1000], 'the queued results were written');
    const msgs = messagesOf(lines);
    assert.equal(msgs.filter((m) => m.startsWith('store unavailable')).length, 1, 'one line when it fails');
    assert.equal(msgs.filter((m) => m.startsWith('store available again')).length, 1, 'one line when it is back');
    assert.equal(lines.length, 2);
  } finally {
    await store.close();
    temp.remove();
  }
});

test('a full disk only fails writes, but the store counts as unavailable until writes succeed again', async () => {
  const temp = await tempStore();
  const faulty = faultyStore(temp.store);
  const clock = fakeClock();
  const health = await openWatchedStore(async () => faulty.store, { clock });
  try {
    faulty.fail(diskFullError(), 'writes');
    await assert.rejects(health.store.setMeta('k', 'v'), /store unavailable: database or disk is full/);
    await assert.rejects(health.store.getMeta('k'), /store unavailable/, 'reads too: one state for the whole store');
    await clock.advance(5_000);
    assert.equal(health.status().ok, false, 'a probe writes, so a read-only recovery does not count');
    faulty.fail(null);
    await clock.advance(10_000);
    assert.equal(health.status().ok, true);
  } finally {
    await health.store.close();
    temp.remove();
  }
});

test('SQLite on a full 3 MB tmpfs: unavailable, then every queued result written once space returns', async (t) => {
  const disk = mountSmallDisk();
  if (typeof disk === 'string') {
    console.log(`skipped: ${disk}`);
    t.skip(disk);
    return;
  }
  const clock = fakeClock();
  const health = await openWatchedStore((onError) => openSqliteStore({ dir: disk.dir, flushIntervalMs: 3_600_000, onError }), { clock });
  try {
    health.store.saveResult(result('a', 1), state('a'));
    await health.store.flush();
    disk.fill();
    const last = await writeUntilRefused(health.store, 'a', 1);
    const status = health.status();
    assert.equal(status.ok, false);
    assert.match(status.error!, /full/);
    assert.ok(status.queued > 0);
    disk.free();
    await clock.advance(2_000);
    assert.equal(health.status().ok, true, health.status().error ?? '');
    assert.equal((await health.store.history('a', { limit: 1000 })).length, Math.min(1000, last));
    assert.equal(health.store.backlog().queued, 0);

  } finally {
    await health.store.close().catch(() => undefined);
    disk.remove();
  }
});

test('SQLite whose data directory is deleted under it: unavailable with the reason, not writes into a vanished file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsemap-deleted-'));
  const clock = fakeClock();
  const { logger, lines } = captureLogger();
  const health = await openWatchedStore((onError) => openSqliteStore({ dir, flushIntervalMs: 3_600_000, onError }), { clock, logger });
  try {
    health.store.saveResult(result('a', 1), state('a'));
    await health.store.flush();
    rmSync(dir, { recursive: true, force: true });
    health.store.saveResult(result('a', 2), state('a'));
    await assert.rejects(health.store.flush(), /store unavailable: the database file .*pulsemap\.db was removed or replaced; restart pulsemap/);
    await clock.advance(60_000);
    const status = health.status();
    assert.equal(status.ok, false, 'it stays unavailable: a restart opens a new file');
    assert.match(status.error!, /was removed/);
    assert.equal(status.queued, 2, 'the result and its state wait in memory');
    assert.equal(lines.length, 1, 'one log line');
  } finally {
    await health.store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
