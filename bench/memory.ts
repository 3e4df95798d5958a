// Question 2, memory: RSS of the whole service right after start and after a few minutes of
// checks (10 s interval) with 0, 100, 1,000 and 10,000 entities, and the SQLite file at the end
// (bytes per stored result, without the per-entity rows, come from store.ts). The four services run side by side (each in its own process,
// RSS is per process) so the question fits in the time; CPU contention only delays checks.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { FULL, fmt, mb, sleep, startHelper, table, tempDir, writeEntities } from './common.ts';
import type { Helper } from './common.ts';

const SIZES = [0, 100, 1_000, 10_000];
const minutes = FULL ? 5 : 1;

interface Run { n: number; dir: ReturnType<typeof tempDir>; pm: Helper }
interface Status { rss: number; heapUsed: number; maxRss: number }

const target = await startHelper('./target-server.ts');
const baseUrl = `http://127.0.0.1:${target.ready.port as number}`;
const runs: Run[] = [];
const rows: (string | number)[][] = [];
try {
  for (const n of SIZES) {
    const dir = tempDir('memory');
    const config = writeEntities(dir.path, { count: n, interval: 10, baseUrl, shape: 'graph' });
    runs.push({ n, dir, pm: await startHelper('./pulsemap-child.ts', [config, join(dir.path, 'data')]) });
  }
  await sleep(minutes * 60_000);
  const ends = await Promise.all(runs.map((r) => r.pm.ask<Status>('status')));
  for (const [i, run] of runs.entries()) {
    await run.pm.stop();
    // Closed cleanly: the WAL is folded back, so the .db file alone holds everything.
    const file = join(run.dir.path, 'data', 'pulsemap.db');
    const db = new DatabaseSync(file, { readOnly: true });
    const { count } = db.prepare('SELECT count(*) AS count FROM results').get() as { count: number };
    db.close();
    const size = statSync(file).size;
    const end = ends[i]!;
    rows.push([
      fmt(run.n, 0), mb(run.pm.ready.rss as number), mb(end.rss), mb(end.maxRss), mb(end.heapUsed),
      fmt(count, 0), mb(size),
    ]);
  }
} finally {
  for (const run of runs) {
    await run.pm.stop();
    run.dir.remove();
  }
  await target.stop();
}

console.log(`### 2. Memory (10 s interval; RSS after start and after ${minutes} min)\n`);
console.log(table(
  ['entities', 'RSS after start', `RSS after ${minutes} min`, 'peak RSS', 'JS heap used', 'results stored', 'SQLite file'],
  rows,
));
