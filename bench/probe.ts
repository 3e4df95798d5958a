// What a probe costs: building its assignments (each goes through the configuration loader), its
// result buffer full after a long outage, and draining that buffer to a server in batches.
// `node bench/probe.ts [--full]`
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { silentLogger } from '../src/log.ts';
import { createConnection } from '../src/probe/connection.ts';
import { createResultQueue } from '../src/probe/queue.ts';
import type { ProbeResult } from '../src/probe/queue.ts';
import { createRunner } from '../src/probe/runner.ts';
import { createSender } from '../src/probe/sender.ts';
import type { Assignment } from '../src/probe/assignment.ts';
import { FULL, SERVICE_NODE_FLAGS, fmt, sleep, table } from './common.ts';

const SIZES = FULL ? [100, 1000, 10_000] : [100, 1000];
const BUFFER = 100_000;

const assignment = (i: number, path = 'health'): Assignment => ({
  name: `svc_${i}`, type: 'api', interval: 3600, timeout: 10,
  check: { type: 'api', url: `\${TARGET}/${path}/${i}`, headers: { authorization: 'Bearer ${KEY}' }, expect: { status: 200 } },
});

// 1. Applying assignments: the first list, the same list again (ETag aside, a 200 with nothing
// changed), and a list with one entity changed.
const applyRows: string[][] = [];
for (const n of SIZES) {
  const runner = createRunner({ env: { TARGET: 'http://127.0.0.1:9', KEY: 'k' }, onResult: () => {}, random: () => 0.99 });
  const list = Array.from({ length: n }, (_, i) => assignment(i));
  let t = performance.now();
  runner.apply(list);
  const first = performance.now() - t;
  t = performance.now();
  runner.apply(list);
  const same = performance.now() - t;
  const changed = [...list];
  changed[0] = assignment(0, 'other');
  t = performance.now();
  runner.apply(changed);
  const one = performance.now() - t;
  await runner.close();
  applyRows.push([String(n), `${fmt(first, 0)} ms`, `${fmt(first / n, 2)} ms`, `${fmt(same, 1)} ms`, `${fmt(one, 1)} ms`]);
}

// 2. The buffer full: heap taken by 100,000 results of a typical size.
const result = (i: number): ProbeResult => ({
  entity: `svc_${i % 1000}`, at: new Date(1_700_000_000_000 + i * 1000).toISOString(), ok: i % 7 !== 0,
  latency_ms: 40 + (i % 50), message: i % 7 === 0 ? 'connection refused' : `200 OK in ${40 + (i % 50)} ms`, extra: { http_status: 200 },
});
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const queue = createResultQueue(BUFFER);
for (let i = 0; i < BUFFER + 5000; i++) queue.push(result(i));
globalThis.gc?.();
const heapFull = process.memoryUsage().heapUsed - heapBefore;

// 3. Draining it to a server on loopback that accepts everything (batches of 500).
let received = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const n = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { results: unknown[] }).results.length;
    received += n;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: n, rejected: [] }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const connection = createConnection({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'bench-token-0123456789', timeoutMs: 30_000 });
const t0 = performance.now();
const sender = createSender({ connection, queue, logger: silentLogger(), flushMs: 0, batchMax: 500, backoffMinMs: 1000, backoffMaxMs: 60_000, unauthorizedRetryMs: 60_000 });
while (queue.size() > 0) await new Promise((resolve) => setTimeout(resolve, 5));
const drainMs = performance.now() - t0;
await sender.close(1000);
server.close();

// 4. A real `pulsemap probe` process: N api checks every 10 s against a loopback target, its
// results to a loopback server; RSS and CPU after a steady window.
const PROCESS_ENTITIES = FULL ? 1000 : 100;
const WINDOW_S = FULL ? 60 : 30;
const target = http.createServer((_req, res) => { res.writeHead(200); res.end('ok'); });
await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
let fromProcess = 0;
const assignments = JSON.stringify({
  site: 'bench',
  entities: Array.from({ length: PROCESS_ENTITIES }, (_, i) => ({ name: `svc_${i}`, type: 'api', interval: 10, timeout: 5, check: { type: 'api', url: `\${TARGET}/${i}` } })),
});
const home = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', etag: '"1"' });
    if (req.method === 'GET') return res.end(assignments);
    const n = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { results: unknown[] }).results.length;
    fromProcess += n;
    res.end(JSON.stringify({ accepted: n, rejected: [] }));
  });
});
await new Promise<void>((resolve) => home.listen(0, '127.0.0.1', resolve));
const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, new URL('../bin/pulsemap.js', import.meta.url).pathname, 'probe',
  '--server', `http://127.0.0.1:${(home.address() as AddressInfo).port}`, '--site', 'bench'], {
  stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PULSEMAP_PROBE_TOKEN: 'bench-token-0123456789', TARGET: targetUrl, LOG_LEVEL: 'warn' },
});
const stat = (): { cpuMs: number; rssMiB: number } => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]!;
  return { cpuMs: (Number(fields[11]) + Number(fields[12])) * 10, rssMiB: Number(rss) / 1024 };
};
// Warm-up: the first round of every entity sent.
while (fromProcess < PROCESS_ENTITIES) await sleep(100);
const w0 = stat();
const r0 = fromProcess;
await sleep(WINDOW_S * 1000);
const w1 = stat();
const sentInWindow = fromProcess - r0;
child.kill('SIGTERM');
await new Promise((resolve) => child.on('exit', resolve));
target.close();
home.close();

console.log(`### Probe (bench/probe.ts; load average ${loadavg().map((l) => l.toFixed(1)).join(', ')})\n`);
console.log('Applying assignments (api checks; each new or changed definition is built by the configuration loader):\n');
console.log(table(['entities', 'first list', 'per entity', 'same list again', 'one changed'], applyRows));
console.log(`\nBuffer: ${BUFFER.toLocaleString('en')} results held (${queue.dropped().toLocaleString('en')} dropped by the bound): ${fmt(heapFull / 2 ** 20, 1)} MiB of heap${globalThis.gc ? '' : ' (run with --expose-gc for a cleaner figure)'}.`);
console.log(`Drain: ${received.toLocaleString('en')} results in batches of 500 to a loopback server in ${fmt(drainMs / 1000, 2)} s (${fmt(received / (drainMs / 1000), 0)} results/s).`);
console.log(`Process: ${PROCESS_ENTITIES} api checks every 10 s, ${WINDOW_S} s window: ${sentInWindow} results sent (${fmt(sentInWindow / WINDOW_S, 1)}/s), CPU ${fmt((w1.cpuMs - w0.cpuMs) / (WINDOW_S * 10), 1)} % of a core, RSS ${fmt(w1.rssMiB, 0)} MiB.`);
