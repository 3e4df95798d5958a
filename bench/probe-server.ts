// What probes cost the server: answering an assignments request, and taking results in full
// requests (1,000 each) for entities located at probe sites only, each request judged at once
// (verdict, state, stored result) and its site results written to the store.
// `node bench/probe-server.ts [--full]` (PostgreSQL from PGURL, as the tests use it)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseConfig } from '../src/config/load.ts';
import { silentLogger } from '../src/log.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { createProbeService } from '../src/probes/service.ts';
import { createApp } from '../src/server/app.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import type { Store } from '../src/store/store.ts';
import { systemClock } from '../src/clock.ts';
import { serve } from '../test/helpers/http.ts';
import { FULL, fmt, table } from './common.ts';

const SIZES = FULL ? [1000, 10_000] : [1000];
const ROUNDS = 5;
const TOKEN = 'bench-probe-token-0123456789';
const PGURL = process.env.PGURL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function yaml(n: number): string {
  const lines = ['probes:', '  fra: { token: "${T}" }', 'entities:'];
  for (let i = 0; i < n; i++) lines.push(`  svc_${i}: { type: api, url: "\${U}/${i}", locations: [fra], failure_threshold: 1 }`);
  return `${lines.join('\n')}\n`;
}

async function measure(kind: string, store: Store, n: number): Promise<(string | number)[]> {
  const parsed = parseConfig(yaml(n), 'bench.yaml', { T: TOKEN, U: 'http://127.0.0.1:9' });
  if (!('config' in parsed)) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
  const logger = silentLogger();
  let judge: Parameters<typeof createMonitor>[0]['runCheck'] = async () => null;
  const monitor = createMonitor({ config: parsed.config, store, logger, runCheck: (e, o) => judge(e, o), spreadSeconds: 3600 });
  const probes = createProbeService({ monitor, store, clock: systemClock, logger });
  judge = probes.checker(async () => null);
  await monitor.start();
  const api = await serve(createApp({ monitor, store, logger, probes, configStatus: () => ({ path: 'bench.yaml', loaded_at: 0, error: null }) }).callback());
  const auth = { authorization: `Bearer ${TOKEN}` };
  let t = performance.now();
  const res = await api.get('/api/probe/v1/assignments', auth);
  const body = await res.text();
  const assignMs = performance.now() - t;
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let from = 0; from < n; from += 1000) {
      const at = new Date().toISOString();
      const results = Array.from({ length: Math.min(1000, n - from) }, (_, k) => ({
        entity: `svc_${from + k}`, at, ok: (from + k + round) % 7 !== 0, latency_ms: 12, message: 'HTTP 200', extra: { http_status: 200 },
      }));
      t = performance.now();
      const answer = await fetch(`${api.base}/api/probe/v1/results`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ results }) });
      const json = await answer.json() as { accepted: number };
      times.push(performance.now() - t);
      if (json.accepted !== results.length) throw new Error(`accepted ${json.accepted} of ${results.length}`);
    }
  }
  await api.close();
  probes.close();
  await monitor.stop();
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return [kind, n, `${fmt(assignMs, 1)} ms (${fmt(body.length / 1024, 0)} KiB)`, `${fmt(median, 0)} ms`, `${fmt(sorted[sorted.length - 1]!, 0)} ms`, fmt(1000 / (median / 1000), 0)];
}

const rows: (string | number)[][] = [];
for (const n of SIZES) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-bench-probe-'));
  const sqlite = await openSqliteStore({ dir });
  rows.push(await measure('sqlite', sqlite, n));
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  const name = `pulsemap_bench_probe_${process.pid}`;
  const admin = new pg.Client({ connectionString: PGURL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(PGURL);
  u.pathname = `/${name}`;
  const postgres = await openPostgresStore({ url: u.toString() });
  try {
    rows.push(await measure('postgres', postgres, n));
  } finally {
    await postgres.close();
    await admin.query(`DROP DATABASE ${name}`);
    await admin.end();
  }
}
console.log(table(['store', 'entities', 'assignments (one GET)', 'results request of 1,000: median', 'slowest', 'results/s'], rows));
console.log(`\nload average ${loadavg().map((l) => fmt(l, 2)).join(' ')} on 2 cores`);
