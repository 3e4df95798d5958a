// Probes as `pulsemap serve` wires them: entity documents with their sites, /health and /metrics
// with the probes, and no token anywhere in what the server shows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { captureLogger } from '../alerts/helpers.ts';

const FRA = 'fra-secret-token-0123456789';
const NYC = 'nyc-secret-token-0123456789';
const KEY = 'edge-header-secret-0123';
let dir: string;
let service: Service;
const { logger, lines } = captureLogger();

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-probe-serve-'));
  const file = path.join(dir, 'entities.yaml');
  writeFileSync(file, `probes:
  fra: { token: "\${PROBE_FRA_TOKEN}" }
  nyc: { token: "\${PROBE_NYC_TOKEN}" }
entities:
  edge:
    type: api
    url: http://127.0.0.1:9/health
    headers: { X-Key: "\${EDGE_KEY}" }
    locations: [fra, nyc]
    failure_threshold: 1
  plain: { type: tcp, host: 127.0.0.1, port: 9, interval: 3600 }
`);
  service = await startService({
    config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger,
    env: { PROBE_FRA_TOKEN: FRA, PROBE_NYC_TOKEN: NYC, EDGE_KEY: KEY },
  });
});
after(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (token: string, results: unknown[]) => fetch(`${service.url}/api/probe/v1/results`, {
  method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ results }),
});

test('results reach the entity document as sites, and its verdict', async () => {
  const at = new Date().toISOString();
  assert.deepEqual(await (await post(FRA, [{ entity: 'edge', at, ok: false, latency_ms: null, message: '<b>refused</b>' }])).json(), { accepted: 1, rejected: [] });
  assert.deepEqual(await (await post(NYC, [{ entity: 'edge', at, ok: true, latency_ms: 20, message: 'HTTP 200', extra: { http_status: 200 } }])).json(), { accepted: 1, rejected: [] });
  const doc = await (await fetch(`${service.url}/entities/edge`)).json();
  assert.equal(doc.status, 'degraded');
  assert.equal(doc.message, '1 of 2 sites failing: fra <b>refused</b>');
  assert.deepEqual(doc.sites, {
    fra: { ok: false, at, message: '<b>refused</b>', fresh: true },
    nyc: { ok: true, at, message: 'HTTP 200', fresh: true },
  });
  const plain = (await (await fetch(`${service.url}/entities`)).json()).find((e: { name: string }) => e.name === 'plain');
  assert.equal('sites' in plain, false, 'an entity checked here only has no sites');
});

test('the map cell shows each site\'s result; the site\'s message stays out of the markup', async () => {
  const source = await (await fetch(`${service.url}/map.nomnoml`)).text();
  assert.match(source, /sites: fra ✗ nyc ✓/);
  const svg = await (await fetch(`${service.url}/map.svg?view=all`)).text();
  assert.match(svg, /data-entity="edge"/);
  assert.match(svg, /sites: fra ✗ nyc ✓/);
  assert.ok(!svg.includes('<b>refused'), 'no markup from a probe\'s message');
});

test('/health and /metrics show the probes; no token or secret appears anywhere', async () => {
  const health = await (await fetch(`${service.url}/health`)).json();
  assert.deepEqual(health.probes.map((p: { site: string; online: boolean }) => [p.site, p.online]), [['fra', true], ['nyc', true]]);
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(metrics, /^pulsemap_probe_up\{site="fra"\} 1$/m);
  assert.match(metrics, /^pulsemap_probe_results_total\{site="fra",outcome="accepted"\} 1$/m);
  const shown = [
    JSON.stringify(health), metrics, await (await fetch(`${service.url}/entities`)).text(), await (await fetch(`${service.url}/config`)).text(),
    await (await fetch(`${service.url}/map.nomnoml`)).text(), lines.join('\n'),
  ].join('\n');
  for (const secret of [FRA, NYC, KEY]) assert.ok(!shown.includes(secret), 'never shown');
});
