import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Store } from '../../src/store/store.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/postgres-migrations.ts';
import { SELECT_HISTORY } from '../../src/store/postgres-read.ts';
import { openStore } from '../../src/store/open.ts';
import { result, state, storeContract } from './contract.ts';
import { createTestDatabase } from './postgres-db.ts';
import { openWatchedStore, StoreUnavailableError } from '../../src/store/health.ts';
import { fakeClock } from '../helpers/clock.ts';
import { captureLogger, waitUntil } from '../alerts/helpers.ts';
import { startRelay } from '../helpers/relay.ts';

const db = await createTestDatabase();
after(() => db.drop());

// Which schema each store lives in, so the contract can reopen it.
const urlOf = new WeakMap<Store, string>();
async function openAt(url: string, options: { migrations?: readonly string[]; maxBatch?: number } = {}): Promise<Store> {
  const store = await openPostgresStore({ url, ...options });
  urlOf.set(store, url);
  return store;
}

storeContract('postgres', async () => openAt(await db.freshSchema()), (closed) => openAt(urlOf.get(closed)!));

/** Runs one query in the store's schema (the search_path the URL selects). */
async function sql<R extends pg.QueryResultRow = any>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const schemaVersion = async (url: string) => (await sql<{ version: number }>(url, 'SELECT version FROM pulsemap_schema'))[0]!.version;

describe('PostgreSQL store: migrations', () => {
  it('creates the schema in an empty database', async () => {
    const url = await db.freshSchema();
    const store = await openAt(url);
    assert.equal(store.kind, 'postgres');
    assert.deepEqual(await store.loadStates(), new Map());
    await store.close();
    assert.equal(await schemaVersion(url), SCHEMA_VERSION);
    const tables = (await sql<{ t: string }>(url, 'SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1')).map((r) => r.t);
    assert.deepEqual(tables, ['cluster_leader', 'cluster_members', 'entities', 'hourly', 'hourly_latency', 'meta', 'outbox', 'pulsemap_schema', 'results', 'states', 'transitions']);
  });

  it('brings a database of every earlier version up to date', async () => {
    for (let version = 0; version < SCHEMA_VERSION; version++) {
      const url = await db.freshSchema();
      if (version > 0) await (await openAt(url, { migrations: MIGRATIONS.slice(0, version) })).close();
      const store = await openAt(url);
      store.saveResult(result('a', 1_000), state('a'));
      assert.equal((await store.history('a', { limit: 10 })).length, 1, `from version ${version}`);
      await store.close();
      assert.equal(await schemaVersion(url), SCHEMA_VERSION);
    }
  });

  it('upgrades a database written by this version, keeping its data, and the older version then refuses it', async () => {
    const url = await db.freshSchema();
    const current = await openAt(url);
    current.saveResult(result('a', 1_000), state('a', { success_count: 3 }));
    await current.outboxAdd({ channel: 'telegram', key: 'k1', payload: '{}', created_at: 1_000 });
    await current.close();

    // Stands in for the next release: one more step appended.
    const next = [...MIGRATIONS, 'ALTER TABLE meta ADD COLUMN note text'];
    const upgraded = await openAt(url, { migrations: next });
    assert.equal((await upgraded.loadStates()).get('a')?.success_count, 3);
    assert.deepEqual((await upgraded.history('a', { limit: 10 })).map((e) => e.at), [1_000]);
    assert.equal(await upgraded.outboxDepth(), 1);
    await upgraded.close();
    assert.equal(await schemaVersion(url), SCHEMA_VERSION + 1);

    await assert.rejects(openAt(url), {
      message: `store schema version ${SCHEMA_VERSION + 1} is newer than this pulsemap supports (${SCHEMA_VERSION}); upgrade pulsemap`,
    });
  });

  it('leaves the previous version intact when a step fails', async () => {
    const url = await db.freshSchema();
    await (await openAt(url)).close();
    await assert.rejects(openAt(url, { migrations: [...MIGRATIONS, 'CREATE TABLE extra_one (x int); SELECT no_such_function()'] }), /no_such_function/);
    assert.equal(await schemaVersion(url), SCHEMA_VERSION);
    assert.deepEqual(await sql(url, `SELECT to_regclass('extra_one') AS t`), [{ t: null }]);
  });

  it('lets two services open a fresh database at the same moment', async () => {
    const url = await db.freshSchema();
    const stores = await Promise.all([openAt(url), openAt(url), openAt(url)]);
    await Promise.all(stores.map((s) => s.close()));
    assert.equal(await schemaVersion(url), SCHEMA_VERSION);
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

describe('PostgreSQL store', () => {
  it('answers history with a backward scan of the (entity_id, at) primary key, never a sort or a table scan', async () => {
    const url = await db.freshSchema();
    await (await openAt(url)).close();
    // 200,000 results over 20 entities: enough for the planner to cost like a big table.
    await sql(url, `INSERT INTO entities (name) SELECT 'e' || i FROM generate_series(1, 20) i`);
    await sql(url, `
      INSERT INTO results (at, entity_id, latency_ms, status, ok, message)
      SELECT 1700000000000 + n * 60000, e, 20 + n % 300, 1, true, NULL
      FROM generate_series(1, 20) e, generate_series(1, 10000) n`);
    await sql(url, 'ANALYZE results');
    for (const before of [Number.MAX_SAFE_INTEGER, 1700000000000 + 5000 * 60000]) {
      const rows = await sql<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(url, `EXPLAIN (FORMAT JSON) ${SELECT_HISTORY}`, ['e7', before, 100]);
      const nodes = flatten(rows[0]!['QUERY PLAN'][0].Plan);
      const scan = nodes.find((n) => n['Relation Name'] === 'results');
      assert.equal(scan?.['Node Type'], 'Index Scan', JSON.stringify(nodes));
      assert.equal(scan?.['Index Name'], 'results_pkey');
      assert.equal(scan?.['Scan Direction'], 'Backward');
      assert.ok(!nodes.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan'), JSON.stringify(nodes));
    }
  });

  it('adds new entity names in sorted order, so two writers adding the same names never deadlock', async () => {
    const url = await db.freshSchema();
    const errors: string[] = [];
    const store = await openPostgresStore({ url, onError: (e) => errors.push(String(e)) });
    // Another writer (a second instance) has added 'a' and not yet committed.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO entities (name) VALUES ('a')`);
      // This store's batch names 'b' before 'a'; it must wait for 'a' before touching 'b'.
      store.saveResult(result('b', 1_000), state('b'));
      store.saveResult(result('a', 1_000), state('a'));
      const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO entities%' AND pid <> $1`;
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await waitUntil(async () => (await sql<{ n: number }>(url, waiting, [otherPid]))[0]!.n === 1, 'the store waiting for the name the other writer holds');
      // Had the store inserted 'b' first, this would wait for it (a deadlock); the timeout makes that an error.
      await other.query(`SET LOCAL lock_timeout = '5s'`);
      await other.query(`INSERT INTO entities (name) VALUES ('b')`);
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    await waitUntil(async () => (await store.history('a', { limit: 1 })).length === 1 && (await store.history('b', { limit: 1 })).length === 1, 'both results stored');
    await store.close();
    assert.deepEqual(errors, []);
  });

  it('keeps the hourly aggregates equal to the stored results, across batches and replaced results', async () => {
    const url = await db.freshSchema();
    const store = await openAt(url, { maxBatch: 7 });
    for (let i = 0; i < 500; i++) {
      store.saveResult(result(`e${i % 3}`, i * 37_000, { ok: i % 5 !== 0, latency_ms: i % 11 === 0 ? null : i }), state(`e${i % 3}`));
    }
    // The same (entity, at) again, in a later batch: replaces the first.
    await store.flush();
    for (let i = 0; i < 60; i += 3) store.saveResult(result('e0', i * 37_000, { ok: false, latency_ms: 5 }), state('e0'));
    await store.close();
    const mismatches = await sql<{ n: number }>(url, `
      SELECT count(*)::int AS n FROM hourly h FULL JOIN (
        SELECT entity_id, (at / 3600000) * 3600000 AS hour_start, count(*) AS checks, count(*) FILTER (WHERE ok) AS successes,
          count(latency_ms) AS latency_count, coalesce(sum(latency_ms), 0) AS latency_sum
        FROM results GROUP BY 1, 2) r USING (entity_id, hour_start)
      WHERE r.checks IS DISTINCT FROM h.checks OR r.successes IS DISTINCT FROM h.successes
        OR r.latency_count IS DISTINCT FROM h.latency_count OR r.latency_sum IS DISTINCT FROM h.latency_sum`);
    assert.equal(mismatches[0]!.n, 0);
    assert.deepEqual(await sql(url, 'SELECT sum(checks)::int AS n FROM hourly'), [{ n: 500 }]);
    assert.deepEqual(await sql(url, 'SELECT count(*)::int AS n FROM results'), [{ n: 500 }]);
  });

  it('stores results compactly: measures bytes per result, index included', async () => {
    const url = await db.freshSchema();
    const store = await openAt(url);
    const RESULTS = 100_000;
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < RESULTS; i++) {
      const name = `entity_${i % 10}`;
      const at = start + Math.floor(i / 10) * 60_000 + (i % 10) * 997;
      store.saveResult(i % 100 === 0 ? result(name, at, { ok: false, status: 'pending', latency_ms: null, message: 'expected status 200, got 503' }) : result(name, at, { latency_ms: 20 + (i * 7919) % 400 }), state(name));
    }
    await store.close();
    await sql(url, 'VACUUM ANALYZE results');
    const [row] = await sql<{ n: number; bytes: number }>(url, `SELECT count(*)::int AS n, pg_total_relation_size('results')::int AS bytes FROM results`);
    const perResult = row!.bytes / row!.n;
    console.log(`postgres: ${perResult.toFixed(1)} bytes per stored result (${row!.bytes} bytes for ${row!.n}, heap + primary key)`);
    assert.equal(row!.n, RESULTS);
    // Tuple header (24) + line pointer (4) + 20 bytes of columns, and ~28 per index entry.
    assert.ok(perResult < 90, `${perResult.toFixed(1)} bytes per result`);
  });

  it('survives the server dropping an idle connection, reporting it instead of crashing', async () => {
    const url = new URL(await db.freshSchema());
    url.searchParams.set('application_name', 'pulsemap_idle_test'); // only this store's connections
    const errors: unknown[] = [];
    const store = await openPostgresStore({ url: url.toString(), onError: (e) => errors.push(e) });
    try {
      await store.setMeta('k', 'v'); // leaves an idle connection in the pool
      const reported = new Promise<void>((resolve) => {
        const poll = setInterval(() => { if (errors.length > 0) { clearInterval(poll); resolve(); } }, 10);
      });
      const killed = await sql<{ n: number }>(db.url, `
        SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE application_name = 'pulsemap_idle_test' AND datname = current_database() AND state = 'idle'`);
      assert.ok(killed[0]!.n >= 1);
      await reported;
      assert.match(String(errors[0]), /terminat/i);
      assert.equal(await store.getMeta('k'), 'v', 'the pool replaces the lost connection');
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL store: a server that stops answering', () => {
  it('fails the write after the query timeout, keeps the batch, and writes it once the server answers again', async () => {
    const relay = await startRelay(new URL(db.url));
    const errors: unknown[] = [];
    const store = await openPostgresStore({
      url: relay.url(await db.freshSchema()), queryTimeoutMs: 300, flushIntervalMs: 60_000, onError: (e) => errors.push(e),
    });
    try {
      store.saveResult(result('a', 1_000), state('a'));
      await store.flush();
      relay.freeze();
      store.saveResult(result('a', 2_000), state('a', { success_count: 11 }));
      await assert.rejects(store.flush(), /Query read timeout/);
      relay.thaw();
      await store.flush();
      assert.deepEqual((await store.history('a', { limit: 10 })).map((e) => e.at), [2_000, 1_000]);
      assert.equal((await store.loadStates()).get('a')?.success_count, 11);
    } finally {
      await store.close();
      await relay.close();
    }
  });
});

describe('PostgreSQL store: a server restart seen by the store\'s health', () => {
  it('connections terminated by the server: unavailable with one log line, back with one more once a probe writes', async () => {
    const url = new URL(await db.freshSchema());
    url.searchParams.set('application_name', 'pulsemap_restart_test');
    const clock = fakeClock();
    const { logger, lines } = captureLogger();
    const health = await openWatchedStore((onError) => openPostgresStore({ url: url.toString(), onError }), { clock, logger });
    try {
      await health.store.setMeta('k', 'v'); // leaves an idle connection in the pool
      await sql(db.url, `
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'pulsemap_restart_test' AND datname = current_database()`);
      await waitUntil(() => !health.status().ok, 'the pool reporting the lost connection');
      assert.match(health.status().error!, /terminat/i);
      await assert.rejects(health.store.getMeta('k'), StoreUnavailableError);
      await waitUntil(async () => { await clock.advance(1_000); return health.status().ok; }, 'a probe through a new connection');
      assert.equal(await health.store.getMeta('k'), 'v');
      assert.deepEqual(lines.map((l) => JSON.parse(l).msg), [
        'store unavailable; checks go on and writes wait in memory', 'store available again; queued writes written',
      ]);
    } finally {
      await health.store.close();
    }
  });
});

describe('PostgreSQL store: a connection that dies under a write', () => {
  it('fails that write without ending the process, keeps the batch, and writes it on a new connection', async () => {
    const relay = await startRelay(new URL(db.url));
    const store = await openPostgresStore({ url: relay.url(await db.freshSchema()), flushIntervalMs: 60_000, onError: () => {} });
    try {
      store.saveResult(result('a', 1_000), state('a'));
      await store.flush(); // leaves an idle connection, which the next write takes
      relay.freeze();
      store.saveResult(result('a', 2_000), state('a'));
      const write = store.flush();
      write.catch(() => {});
      while (relay.held() === 0) await new Promise((resolve) => setImmediate(resolve));
      relay.cut(); // the connection dies while the batch holds it
      await assert.rejects(write, /terminated|ECONNRESET/i);
      await store.flush();
      assert.deepEqual((await store.history('a', { limit: 10 })).map((e) => e.at), [2_000, 1_000]);
    } finally {
      await store.close();
      await relay.close();
    }
  });
});

describe('openStore', () => {
  it('opens PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    for (const scheme of ['postgres:', 'postgresql:']) {
      const url = new URL(await db.freshSchema());
      url.protocol = scheme;
      const store = await openStore({ url: url.toString(), dir: '/nonexistent' });
      assert.equal(store.kind, 'postgres');
      await store.close();
    }
  });

  it('refuses other URLs without echoing them (they may hold a password)', async () => {
    await assert.rejects(openStore({ url: 'mysql://root:hunter2@db/x', dir: '/nonexistent' }), (err: Error) => {
      assert.equal(err.message, 'unsupported store URL (expected postgres://...)');
      return true;
    });
  });
});
