// Question 10, pacing: how many checks run at once, and whether the service keeps up.
// The service paces its checks (src/monitor/pacer.ts): fewer at once when its event loop is
// busy, more while checks wait and it is not. Three estates, each in a fresh service (10 s
// interval, 20 s window after the first interval):
//   fast   — more fast targets than one core can check (20,000 with --full, else 5,000): the pacer must
//            hold the limit down, and the service run near the bare loop's rate without the
//            false timeouts and the memory of an uncapped start;
//   slow   — 5,000 targets that answer after 300 ms (500 checks/s need ~150 at once, above the
//            initial limit of 100): the pacer must let more run;
//   hung   — 3,000 healthy targets and 1,000 that never answer (5 s timeout; 100 checks/s
//            holding a slot 5 s each need ~500 at once): the healthy ones keep their cadence.
// Each estate with the default `checks.max_in_flight` (1000) and with `max_in_flight: 100`.
// Usage: npx node bench/pacing.ts [--full] [--max default,100]   (or npm run bench -- pacing --full; about 5 minutes)
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { FULL, fmt, mb, sleep, startHelper, table, targetBases, tempDir } from './common.ts';
import type { Helper } from './common.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const INTERVAL = 10;
/** `--max default,100`: the max_in_flight settings each estate runs with (default: both). */
const maxAt = process.argv.indexOf('--max');
const MAXES = (maxAt > 0 ? process.argv[maxAt + 1]!.split(',') : ['default', '100']).map((m) => (m === 'default' ? null : Number(m)));
const WINDOW_MS = 20_000;
const ANSWER_MS = 300_000;

interface Estate { name: string; count: number; path: (i: number) => string; healthy: (i: number) => boolean }
const ESTATES: Estate[] = [
  { name: `fast: ${FULL ? '20,000' : '5,000'} targets`, count: FULL ? 20_000 : 5_000, path: (i) => `/e/${i}`, healthy: () => true },
  { name: 'slow: 5,000 targets answering in 300 ms', count: 5_000, path: (i) => `/slow/300/${i}`, healthy: () => true },
  { name: 'hung: 3,000 healthy and 1,000 never answering', count: 4_000, path: (i) => (i % 4 === 3 ? `/hang/${i}` : `/e/${i}`), healthy: (i) => i % 4 !== 3 },
];

interface Window { durationMs: number; cpuMs: number; results: number; okResults: number; lateP99: number; peakRss: number; rss: number }
interface Load { max: number; limit: number; active: number; waiting: number }

function writeEstate(dir: string, estate: Estate, bases: readonly string[], max: number | null): string {
  const lines = ['title: pulsemap pacing bench', 'defaults:', `  interval: ${INTERVAL}`, '  timeout: 5', `  retry_interval: ${INTERVAL}`,
    ...(max === null ? [] : ['checks:', `  max_in_flight: ${max}`]), 'entities:'];
  for (let i = 0; i < estate.count; i++) lines.push(`  e${i}:`, '    type: api', `    url: ${bases[i % bases.length]}${estate.path(i)}`);
  const file = join(dir, 'entities.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function row(estate: Estate, bases: readonly string[], max: number | null): Promise<(string | number)[]> {
  const dir = tempDir('pacing');
  let pm: Helper | null = null;
  try {
    const config = writeEstate(dir.path, estate, bases, max);
    pm = await startHelper(join(HERE, 'pulsemap-child.ts'), [config, join(dir.path, 'data')]);
    await sleep(INTERVAL * 1000 + 2000);
    await pm.ask('windowStart', {}, ANSWER_MS);
    const limits: number[] = [];
    const active: number[] = [];
    const waiting: number[] = [];
    const end = Date.now() + WINDOW_MS;
    while (Date.now() < end) {
      const l = await pm.ask<Load>('load', {}, ANSWER_MS);
      limits.push(l.limit);
      active.push(l.active);
      waiting.push(l.waiting);
      await sleep(1000);
    }
    const w = await pm.ask<Window>('windowEnd', {}, ANSWER_MS);
    const healthy = Array.from({ length: estate.count }, (_, i) => estate.healthy(i)).filter(Boolean).length;
    const rate = w.results / (w.durationMs / 1000);
    const okRate = w.okResults / (w.durationMs / 1000);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    return [estate.name, max === null ? '1000 (default)' : String(max),
      `${fmt(rate, 0)} / ${fmt(estate.count / INTERVAL, 0)}`,
      `${fmt(okRate, 0)} / ${fmt(healthy / INTERVAL, 0)}`,
      fmt(w.lateP99, 0),
      `${Math.min(...limits)}–${Math.max(...limits)}`,
      `${fmt(mean(active), 0)} (max ${Math.max(...active)})`,
      `${fmt(mean(waiting), 0)} (max ${Math.max(...waiting)})`,
      fmt(w.cpuMs / Math.max(1, w.results), 3),
      mb(w.peakRss)];
  } finally {
    await pm?.stop();
    dir.remove();
  }
}

const target = await startHelper(join(HERE, 'target-server.ts'));
const bases = targetBases(target.ready);
try {
  console.log(`### 10. Pacing: checks at once (10 s interval, 5 s timeout, ${WINDOW_MS / 1000} s window after the first interval; load average before: ${loadavg()})\n`);
  const rows: (string | number)[][] = [];
  for (const estate of ESTATES) {
    for (const max of MAXES) {
      try {
        rows.push(await row(estate, bases, max));
      } catch (err) {
        rows.push([estate.name, max === null ? '1000 (default)' : String(max), `not measured: ${String(err instanceof Error ? err.message : err)}`, '', '', '', '', '', '', '']);
      }
    }
  }
  console.log(table(['estate', 'max_in_flight', 'checks/s (ideal)', 'passing checks/s (healthy targets)', 'lateness p99 (ms)', 'limit (min–max)',
    'running at once (mean)', 'waiting (mean)', 'CPU ms/check', 'RSS peak'], rows));
  console.log(`\n(load average at the end: ${loadavg()})`);
} finally {
  await target.stop();
}
