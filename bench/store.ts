// Question 6 (and the storage half of 2), the store: results written per second through the
// store's own write queue (saveResult, batched writes of up to 1,000 per transaction, flush), for
// SQLite and PostgreSQL, and what one stored result costs on disk. Results look like a real
// fleet's: 1,000 entities checked in rounds, 2% failing with a message, latencies of a few ms.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/store.ts';
import { initialState } from '../src/monitor/state.ts';
import type { EntityState } from '../src/types.ts';
import { FULL, cpuMs, entityName, fmt, table, tempDir, withTempDatabase } from './common.ts';

const ENTITIES = 1_000;
const ROUNDS = FULL ? 500 : 100;

const yieldToQueue = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Queues ROUNDS x ENTITIES results the way the monitor does, yielding between rounds. */
async function writeAll(store: Store): Promise<{ ms: number; cpu: number; count: number }> {
  const start = Date.now() - ROUNDS * 10_000;
  const states = new Map<string, EntityState>();
  for (let e = 0; e < ENTITIES; e++) states.set(entityName(e), { ...initialState(entityName(e)), status: 'ok' });
  const t = performance.now();
  const cpu = cpuMs();
  for (let r = 0; r < ROUNDS; r++) {
    for (let e = 0; e < ENTITIES; e++) {
      const name = entityName(e);
      const ok = (e * 31 + r) % 50 !== 0;
      const at = start + r * 10_000 + e;
      const prev = states.get(name)!;
      const state: EntityState = {
        ...prev, status: ok ? 'ok' : 'pending', lastcheck: at, last_ok: ok, latency_ms: ok ? 2 + ((e * 7 + r) % 40) : null,
        success_count: prev.success_count + (ok ? 1 : 0), fail_count: prev.fail_count + (ok ? 0 : 1),
        consecutive_failures: ok ? 0 : 1, consecutive_successes: ok ? prev.consecutive_successes + 1 : 0,
        message: ok ? '200 OK in 3 ms' : 'expected status 200, got 503',
      };
      states.set(name, state);
      store.saveResult({ name, at, ok, status: state.status, latency_ms: state.latency_ms, message: state.message }, state);
    }
    await yieldToQueue();
  }
  await store.flush();
  return { ms: performance.now() - t, cpu: cpuMs() - cpu, count: ROUNDS * ENTITIES };
}

const rows: (string | number)[][] = [];
const row = (engine: string, w: { ms: number; cpu: number; count: number }, bytes: number) => [
  engine, fmt(w.count, 0), fmt(w.ms / 1000, 2), fmt(w.count / (w.ms / 1000), 0), fmt((w.cpu * 1000) / w.count, 1), fmt(bytes, 1),
];

// SQLite: the file after a clean close (WAL folded back), less the same store's empty file.
{
  const dir = tempDir('store');
  try {
    const empty = await openStore({ url: null, dir: join(dir.path, 'empty') });
    await empty.close();
    const emptySize = statSync(join(dir.path, 'empty', 'pulsemap.db')).size;
    const store = await openStore({ url: null, dir: join(dir.path, 'full') });
    const w = await writeAll(store);
    await store.close();
    rows.push(row('SQLite', w, (statSync(join(dir.path, 'full', 'pulsemap.db')).size - emptySize) / w.count));
  } finally {
    dir.remove();
  }
}

// PostgreSQL: a throwaway database; the results table with its index and TOAST, per row.
await withTempDatabase(async (url) => {
  const store = await openStore({ url, dir: '' });
  let w;
  try {
    w = await writeAll(store);
  } finally {
    await store.close();
  }
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('VACUUM ANALYZE results');
    const { rows: [size] } = await db.query<{ bytes: string; n: string }>(
      "SELECT pg_total_relation_size('results') AS bytes, (SELECT count(*) FROM results) AS n");
    rows.push(row('PostgreSQL', w, Number(size!.bytes) / Number(size!.n)));
  } finally {
    await db.end();
  }
});

console.log(`### 6. Store (${fmt(ENTITIES, 0)} entities x ${ROUNDS} rounds, queued with saveResult, batched by the store, then flush)\n`);
console.log(table(['store', 'results', 'seconds', 'results/s', 'CPU µs/result (this process)', 'bytes on disk / result'], rows));
