import { after, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Store } from '../../src/store/store.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite-migrations.ts';
import { result, state, storeContract } from './contract.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulsemap-store-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Which directory each store lives in, so the contract can reopen it.
const dirOf = new WeakMap<Store, string>();
async function openIn(dir: string): Promise<Store> {
  const store = await openSqliteStore({ dir });
  dirOf.set(store, dir);
  return store;
}

storeContract('sqlite', () => openIn(tempDir()), (closed) => openIn(dirOf.get(closed)!));

function count(file: string, sql: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

describe('SQLite store', () => {
  it('stores a result in under 50 bytes on disk, index included', async () => {
    const dir = tempDir();
    const store = await openSqliteStore({ dir });
    const RESULTS = 100_000;
    const ENTITIES = 10;
    const start = Date.UTC(2026, 0, 1);
    // A small deterministic PRNG: realistic, varied latencies without Math.random.
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < RESULTS; i++) {
      const name = `entity_${i % ENTITIES}`;
      const at = start + Math.floor(i / ENTITIES) * 60_000 + (i % ENTITIES) * 997;
      const ok = next() > 0.01;
      const r = ok
        ? result(name, at, { latency_ms: 20 + next() * 400 })
        : result(name, at, { ok: false, status: 'pending', latency_ms: null, message: 'expected status 200, got 503' });
      store.saveResult(r, state(name, { lastcheck: at }));
    }
    await store.close();
    const file = join(dir, 'pulsemap.db');
    assert.equal(count(file, 'SELECT count(*) AS n FROM results'), RESULTS);
    const wal = join(dir, 'pulsemap.db-wal');
    const bytes = statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
    const perResult = bytes / RESULTS;
    console.log(`sqlite: ${perResult.toFixed(1)} bytes per stored result (${bytes} bytes for ${RESULTS})`);
    assert.ok(perResult < 50, `${perResult.toFixed(1)} bytes per result`);
  });

  it('creates the schema in an empty directory and in an empty file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.db'), '');
    for (const file of ['pulsemap.db', 'empty.db']) {
      const store = await openSqliteStore({ dir: join(dir, file === 'empty.db' ? '' : 'nested/deeper'), file });
      assert.equal(store.kind, 'sqlite');
      assert.deepEqual(await store.loadStates(), new Map());
      await store.close();
    }
    const db = new DatabaseSync(join(dir, 'nested/deeper/pulsemap.db'), { readOnly: true });
    try {
      assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, SCHEMA_VERSION);
      assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      for (const table of ['entities', 'hourly', 'hourly_latency', 'meta', 'outbox', 'results', 'states', 'transitions']) assert.ok(tables.includes(table), table);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer pulsemap', async () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'pulsemap.db'));
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await assert.rejects(openSqliteStore({ dir }), {
      message: `store schema version ${SCHEMA_VERSION + 1} is newer than this pulsemap supports (${SCHEMA_VERSION}); upgrade pulsemap`,
    });
  });

  it('queues writes until a flush, a full batch or the timer', async () => {
    const dir = tempDir();
    const file = join(dir, 'pulsemap.db');
    const store = await openSqliteStore({ dir, maxBatch: 5, flushIntervalMs: 60_000 });
    try {
      for (let i = 0; i < 4; i++) store.saveResult(result('a', i), state('a'));
      await nextTurn();
      assert.equal(count(file, 'SELECT count(*) AS n FROM results'), 0, 'nothing written before the batch is full');
      store.saveResult(result('a', 4), state('a'));
      await nextTurn();
      assert.equal(count(file, 'SELECT count(*) AS n FROM results'), 5, 'a full batch is written at once');
      store.saveState(state('b'));
      await store.flush();
      assert.equal(count(file, 'SELECT count(*) AS n FROM states'), 2);
    } finally {
      await store.close();
    }
    assert.equal(statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0, 0, 'close empties the WAL');
    mock.timers.enable({ apis: ['setTimeout'] });
    const timed = await openSqliteStore({ dir, flushIntervalMs: 200 });
    try {
      timed.saveResult(result('a', 10), state('a'));
      mock.timers.tick(199);
      await Promise.resolve();
      assert.equal(count(file, 'SELECT count(*) AS n FROM results'), 5);
      mock.timers.tick(1);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      assert.equal(count(file, 'SELECT count(*) AS n FROM results'), 6, 'the timer writes without a flush');
    } finally {
      mock.timers.reset();
      await timed.close();
    }
  });

  it('keeps the hourly aggregates equal to the stored results', async () => {
    const dir = tempDir();
    const store = await openSqliteStore({ dir, maxBatch: 7 });
    for (let i = 0; i < 500; i++) {
      store.saveResult(result(`e${i % 3}`, i * 37_000, { ok: i % 5 !== 0, latency_ms: i % 11 === 0 ? null : i }), state(`e${i % 3}`));
    }
    await store.close();
    const file = join(dir, 'pulsemap.db');
    const mismatches = count(file, `
      SELECT count(*) AS n FROM hourly h LEFT JOIN (
        SELECT entity_id, (at / 3600000) * 3600000 AS hour_start, count(*) AS checks, sum(ok) AS successes,
          count(latency_ms) AS latency_count, coalesce(sum(latency_ms), 0) AS latency_sum,
          min(latency_ms) AS latency_min, max(latency_ms) AS latency_max
        FROM results GROUP BY 1, 2) r USING (entity_id, hour_start)
      WHERE r.checks IS NOT h.checks OR r.successes IS NOT h.successes OR r.latency_count IS NOT h.latency_count
        OR r.latency_sum IS NOT h.latency_sum OR r.latency_min IS NOT h.latency_min OR r.latency_max IS NOT h.latency_max`);
    assert.equal(mismatches, 0);
    assert.equal(count(file, 'SELECT sum(checks) AS n FROM hourly'), 500);
  });
});
