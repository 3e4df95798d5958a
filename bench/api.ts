// Question 4, the API: requests/s and latency of GET /map.svg, /entities and /entities/:name on
// a service watching 1,000 entities (10 s interval) while its checks run, loaded by autocannon in
// a process of its own. The checks' own figures during each load run are reported alongside.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FULL, fmt, mb, sleep, startHelper, table, tempDir, writeEntities } from './common.ts';
import type { Helper } from './common.ts';

const N = 1_000;
const INTERVAL = 10;
const seconds = FULL ? 15 : 5;
const CONNECTIONS = 10;
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Result {
  requests: { average: number };
  latency: { p50: number; p99: number; max: number };
  throughput: { average: number };
  non2xx: number; errors: number; timeouts: number;
  '2xx': number; '3xx'?: number;
}
interface Window { durationMs: number; cpuMs: number; results: number; lateP99: number; lateMax: number }

function load(url: string, headers: readonly string[]): Promise<Result> {
  const args = [autocannon, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), ...headers.flatMap((h) => ['-H', h]), url];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

const target = await startHelper('./target-server.ts');
const baseUrl = `http://127.0.0.1:${target.ready.port as number}`;
const busyDir = tempDir('api');
const quietDir = tempDir('api-quiet');
const rows: (string | number)[][] = [];
let svgBytes = 0;
try {
  // Busy: checks every 10 s, so every result changes the map. Quiet: the same map, checked once
  // (first round within 30 s, next in an hour), so the served map stays cached.
  const busy = await startHelper('./pulsemap-child.ts', [
    writeEntities(busyDir.path, { count: N, interval: INTERVAL, baseUrl, shape: 'graph' }), join(busyDir.path, 'data')]);
  const quiet = await startHelper('./pulsemap-child.ts', [
    writeEntities(quietDir.path, { count: N, interval: 3600, baseUrl, shape: 'graph' }), join(quietDir.path, 'data')]);
  try {
    // Every entity checked once and the map laid out before the first load run.
    await sleep(INTERVAL * 1000 + 2000);
    const base = busy.ready.url as string;
    svgBytes = (await (await fetch(`${base}/map.svg`)).arrayBuffer()).byteLength;
    const map: [string, string, string[]][] = [
      ['GET /map.svg', '/map.svg', []],
      ['GET /map.svg, gzip', '/map.svg', ['accept-encoding=gzip']],
      ['GET /map.svg, If-None-Match', '/map.svg', ['if-none-match=ETAG']],
    ];
    const cases: [Helper, string, string, string[]][] = [
      ...map.map(([l, p, h]): [Helper, string, string, string[]] => [busy, `${l}`, p, h]),
      [busy, 'GET /entities', '/entities', []],
      ...(FULL ? [[busy, 'GET /entities, gzip', '/entities', ['accept-encoding=gzip']] as [Helper, string, string, string[]]] : []),
      [busy, 'GET /entities/:name', '/entities/e500', []],
      ...map.map(([l, p, h]): [Helper, string, string, string[]] => [quiet, `${l}`, p, h]),
    ];
    for (const [pm, label, path, headerTemplate] of cases) {
      if (pm === quiet) {
        // Its first round must be over, or the map is not yet quiet.
        while ((await quiet.ask<{ sinceReadyMs: number }>('status')).sinceReadyMs < 33_000) await sleep(500);
      }
      const url = `${pm.ready.url as string}${path}`;
      // The validator of the representation the load generator asks for (identity: it sends no
      // Accept-Encoding), not the brotli one that fetch would negotiate by default.
      const etag = (await fetch(`${pm.ready.url as string}/map.svg`, { headers: { 'accept-encoding': 'identity' } })).headers.get('etag') ?? '';
      const headers = headerTemplate.map((h) => h.replace('ETAG', etag));
      await pm.ask('windowStart');
      const r = await load(url, headers);
      const w = await pm.ask<Window>('windowEnd');
      const answered = r['2xx'] + (r['3xx'] ?? 0);
      const failed = r.non2xx - (r['3xx'] ?? 0) + r.errors + r.timeouts;
      rows.push([
        label, pm === busy ? `every ${INTERVAL} s` : 'idle', fmt(r.requests.average, 0), fmt(r.latency.p50, 0), fmt(r.latency.p99, 0),
        `${mb(r.throughput.average)}/s`,
        failed === 0 ? `${fmt(r['2xx'], 0)} 200, ${fmt(r['3xx'] ?? 0, 0)} 304` : `${failed} failed of ${fmt(answered + failed, 0)}`,
        pm === busy ? `${fmt(w.results / (w.durationMs / 1000), 1)} / ${N / INTERVAL}` : '-', pm === busy ? fmt(w.lateP99, 0) : '-',
      ]);
    }
  } finally {
    await busy.stop();
    await quiet.stop();
  }
} finally {
  busyDir.remove();
  quietDir.remove();
  await target.stop();
}

console.log(`### 4. API (${fmt(N, 0)} entities; autocannon -c ${CONNECTIONS} -d ${seconds} in its own process; map.svg is ${mb(svgBytes)})\n`);
console.log(table(
  ['request', 'checks', 'requests/s', 'p50 latency (ms)', 'p99 latency (ms)', 'throughput', 'answers', 'checks/s during load (ideal)', 'check lateness p99 (ms)'],
  rows,
));
