// How fast is the PostgreSQL store at 10 million results? Writes through the store's batch path,
// then bulk-loads the results table to the size asked for and times the queries the service runs:
// history pages (first and deep), uptime for one entity and for all, and one day of pruning.
// Usage: node bench/postgres-store.ts [--rows N]   (default 10,000,000; PGURL selects the server)
import pg from 'pg';
import { openPostgresStore } from '../src/store/postgres.ts';
import { fmt, mb, median, table } from './common.ts';

const PGURL = process.env.PGURL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 10_000_000;
const ENTITIES = 100;
const PER_ENTITY = Math.ceil(ROWS / ENTITIES);
const MIN = 60_000;
const START = Date.UTC(2026, 0, 1);
const END = START + PER_ENTITY * MIN; // one result per entity per minute
const WRITES = 200_000;

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm: plans cached, pages in shared buffers, as in a running service
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const admin = new pg.Client({ connectionString: PGURL });
await admin.connect();
const name = `pulsemap_bench_${process.pid}`;
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(PGURL);
url.pathname = `/${name}`;
const rows: (string | number)[][] = [];
try {
  const store = await openPostgresStore({ url: url.toString() });
  const db = new pg.Client({ connectionString: url.toString() });
  db.on('error', () => {}); // dropped with the database at the end
  await db.connect();

  // 1. The write path the monitor uses: queued results, flushed in batches of 1000.
  let t = performance.now();
  for (let i = 0; i < WRITES; i++) {
    const entity = `e${i % ENTITIES}`;
    const at = START - 86_400_000 + Math.floor(i / ENTITIES) * 1000;
    store.saveResult(
      { name: entity, at, ok: i % 50 !== 0, status: 'ok', latency_ms: 20 + (i % 300), message: 'HTTP 200' },
      { name: entity, status: 'ok', since: START, lastcheck: at, success_count: i, fail_count: 0, consecutive_failures: 0, consecutive_successes: i, blocked_by: null, message: 'HTTP 200', latency_ms: 20, extra: {}, last_ok: true },
    );
    if (i % 1000 === 999) await store.flush();
  }
  await store.flush();
  const writeMs = performance.now() - t;
  rows.push(['write through the store (batches of 1000)', `${fmt(WRITES / (writeMs / 1000), 0)} results/s`]);

  // 2. Bulk load to ROWS results, with the hourly aggregates the store would have kept.
  t = performance.now();
  await db.query('DELETE FROM results; DELETE FROM hourly');
  await db.query(`
    INSERT INTO results (at, entity_id, latency_ms, status, ok, message)
    SELECT ${START}::bigint + n::bigint * ${MIN}, e.id, 20 + (n::bigint * 7919) % 400, 1, n % 97 <> 0, CASE WHEN n % 97 = 0 THEN 'timeout after 10 s' END
    FROM entities e, generate_series(0, ${PER_ENTITY - 1}) n`);
  await db.query(`
    INSERT INTO hourly (entity_id, hour_start, checks, successes, latency_count, latency_sum, latency_min, latency_max)
    SELECT entity_id, (at / 3600000) * 3600000, count(*), count(*) FILTER (WHERE ok), count(latency_ms), sum(latency_ms), min(latency_ms), max(latency_ms)
    FROM results GROUP BY 1, 2`);
  // Separate statements: VACUUM cannot run inside the implicit transaction of a multi-statement query.
  await db.query('VACUUM ANALYZE results');
  await db.query('VACUUM ANALYZE hourly');
  const total = Number((await db.query('SELECT count(*) AS n FROM results')).rows[0].n);
  const bytes = Number((await db.query(`SELECT pg_total_relation_size('results') AS b`)).rows[0].b);
  rows.push([`bulk load of ${fmt(total, 0)} results`, `${fmt((performance.now() - t) / 1000, 1)} s`]);
  rows.push(['results table with its primary key', `${mb(bytes)} (${fmt(bytes / total, 1)} bytes per result)`]);

  // 3. The queries behind the API, at that size.
  const middle = START + Math.floor(PER_ENTITY / 2) * MIN;
  rows.push(['history, newest 100', `${fmt(await timed(50, () => store.history('e42', { limit: 100 })), 2)} ms`]);
  rows.push(['history, 100 from the middle (before=)', `${fmt(await timed(50, () => store.history('e42', { limit: 100, before: middle })), 2)} ms`]);
  rows.push(['history, newest 1000', `${fmt(await timed(20, () => store.history('e42', { limit: 1000 })), 2)} ms`]);
  rows.push(['uptime 24h/7d/30d, one entity', `${fmt(await timed(50, () => store.uptime('e42', END)), 2)} ms`]);
  rows.push([`uptimeAll, ${ENTITIES} entities`, `${fmt(await timed(10, () => store.uptimeAll(END)), 2)} ms`]);
  rows.push([`firstChecks (uptime coverage), ${ENTITIES} entities`, `${fmt(await timed(10, () => store.firstChecks()), 2)} ms`]);

  // 4. Retention: one day of results for every entity.
  t = performance.now();
  const removed = await store.prune(START + 86_400_000, 0);
  rows.push([`prune one day (${fmt(removed, 0)} results)`, `${fmt((performance.now() - t) / 1000, 2)} s`]);

  await db.end();
  await store.close();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
console.log(table(['PostgreSQL store', 'figure'], rows));
