import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCheck } from '../src/checks/index.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import type { Monitor } from '../src/monitor/monitor.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { createMetrics } from '../src/metrics.ts';
import type { Metrics } from '../src/metrics.ts';
import { createApp } from '../src/server/app.ts';
import { silentLogger } from '../src/log.ts';
import { STATUSES } from '../src/types.ts';
import { fakeClock } from './helpers/clock.ts';
import { apiEntity, configOf, notifyOf, pingEntity } from './helpers/entities.ts';
import { serve, startTarget } from './helpers/http.ts';
import type { Served, Target } from './helpers/http.ts';
import { createTestCertificates } from './helpers/tls.ts';
import type { TestCertificates } from './helpers/tls.ts';
import { find, parsePrometheus, value } from './helpers/prometheus.ts';

const TOKEN = '123456:telegram-token-never-shown';
const HEADER_SECRET = 'Bearer header-secret-never-shown';
const URL_PASSWORD = 'url-password-never-shown';

describe('GET /metrics', () => {
  let dir: string;
  let good: Target;
  let bad: Target;
  let certs: TestCertificates;
  let secure: https.Server;
  let store: Store;
  let monitor: Monitor;
  let metrics: Metrics;
  let served: Served;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-metrics-'));
    good = await startTarget(200);
    bad = await startTarget(503);
    certs = await createTestCertificates();
    // Trust the test CA as an operator trusts an internal one, so the check runs unchanged.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), certs.ca]);
    secure = https.createServer(certs.expiring, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const securePort = (secure.address() as AddressInfo).port;
    const withPassword = good.url.replace('http://', `http://monitor:${URL_PASSWORD}@`);

    const config = configOf([
      apiEntity('web', withPassword, [], { group: 'edge', headers: { Authorization: HEADER_SECRET }, target: good.url }),
      apiEntity('broken', bad.url, [], { failure_threshold: 1 }),
      apiEntity('secure', `https://127.0.0.1:${securePort}/`),
      pingEntity('idle'),
    ], {
      notify: notifyOf({
        telegram: { token: TOKEN, chat_id: '42', api_url: 'http://127.0.0.1:9', thread_id: null, silent: false, reminder: 0, commands: false },
      }),
    });
    store = await openSqliteStore({ dir });
    // A clock that never advances: only the explicit checkNow calls below run checks.
    monitor = createMonitor({ config, store, runCheck, clock: fakeClock(), logger: silentLogger() });
    metrics = createMetrics({ monitor, outboxDepth: () => store.outboxDepth() });
    monitor.connect([metrics]);
    await monitor.start();
    const app = createApp({
      monitor, store, logger: silentLogger(), metrics,
      configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }),
    });
    served = await serve(app.callback());
  });

  after(async () => {
    await served.close();
    metrics.close();
    await monitor.stop();
    await store.close();
    await good.close();
    await bad.close();
    await new Promise<void>((resolve) => { secure.closeAllConnections(); secure.close(() => resolve()); });
    await certs.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  async function scrape() {
    const res = await served.get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    return { text, families: parsePrometheus(text) };
  }

  it('serves the figures of real checks as Prometheus text', async () => {
    await monitor.checkNow('web');
    await monitor.checkNow('web');
    await monitor.checkNow('broken');
    await monitor.checkNow('secure');
    await store.outboxAdd({ channel: 'telegram', key: 'a', payload: '{}', created_at: 1 });
    await store.outboxAdd({ channel: 'telegram', key: 'b', payload: '{}', created_at: 1 });
    metrics.alertSent('telegram');
    metrics.alertSent('telegram');
    metrics.alertFailed('webhook');
    metrics.configRejected();
    metrics.probeResults('east', 3, 1);
    metrics.probeResults('east', 2, 0);

    const { text, families } = await scrape();
    assert.equal(value(families, 'pulsemap_probe_results_total', { site: 'east', outcome: 'accepted' }), 5);
    assert.equal(value(families, 'pulsemap_probe_results_total', { site: 'east', outcome: 'rejected' }), 1);
    const web = { name: 'web', type: 'api', group: 'edge' };
    const broken = { name: 'broken', type: 'api', group: '' };

    // One status series per status, exactly one of them at 1.
    for (const [labels, current] of [[web, 'ok'], [broken, 'error'], [{ name: 'idle', type: 'ping', group: '' }, 'unknown'], [{ name: 'secure' }, 'degraded']] as const) {
      const series = find(families, 'pulsemap_entity_status', labels);
      assert.deepEqual(series.map((s) => s.labels.status).sort(), [...STATUSES].sort());
      for (const s of series) assert.equal(s.value, s.labels.status === current ? 1 : 0, `${labels.name} ${s.labels.status}`);
    }
    assert.equal(value(families, 'pulsemap_entity_up', web), 1);
    assert.equal(value(families, 'pulsemap_entity_up', broken), 0);
    assert.equal(value(families, 'pulsemap_entity_up', { name: 'secure' }), 1, 'degraded still works');
    assert.deepEqual(find(families, 'pulsemap_entity_up', { name: 'idle' }), [], 'no up before the first check');

    assert.equal(families.get('pulsemap_checks_total')?.type, 'counter');
    assert.equal(value(families, 'pulsemap_checks_total', { ...web, result: 'success' }), 2);
    assert.equal(value(families, 'pulsemap_checks_total', { ...web, result: 'failure' }), 0);
    assert.equal(value(families, 'pulsemap_checks_total', { ...broken, result: 'failure' }), 1);
    assert.equal(value(families, 'pulsemap_entity_success_ratio', web), 1);
    assert.equal(value(families, 'pulsemap_entity_success_ratio', broken), 0);

    assert.equal(families.get('pulsemap_check_duration_seconds')?.type, 'histogram');
    assert.equal(value(families, 'pulsemap_check_duration_seconds_count', web), 2);
    assert.equal(value(families, 'pulsemap_check_duration_seconds_bucket', { ...web, le: '+Inf' }), 2);
    const latency = monitor.state('web')!.latency_ms!;
    assert.ok(value(families, 'pulsemap_check_duration_seconds_sum', web) >= latency / 1000);
    // Cumulative buckets: never falling, the last finite one (30 s) holding both checks.
    const buckets = find(families, 'pulsemap_check_duration_seconds_bucket', web).filter((s) => s.labels.le !== '+Inf');
    assert.equal(buckets.length, 12);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, text);
    assert.equal(buckets.at(-1)!.labels.le, '30');
    assert.equal(buckets.at(-1)!.value, 2);

    const days = monitor.state('secure')!.extra.cert_days;
    assert.ok(days === 4 || days === 5, `cert_days ${days}`);
    assert.equal(value(families, 'pulsemap_certificate_days_left', { name: 'secure' }), days);
    assert.deepEqual(find(families, 'pulsemap_certificate_days_left', { name: 'web' }), [], 'only entities with a certificate');
    assert.ok(value(families, 'pulsemap_entity_last_check_timestamp_seconds', web) > 0);

    assert.equal(value(families, 'pulsemap_alerts_sent_total', { channel: 'telegram' }), 2);
    assert.equal(value(families, 'pulsemap_alerts_failed_total', { channel: 'telegram' }), 0, 'configured channels start at 0');
    assert.equal(value(families, 'pulsemap_alerts_failed_total', { channel: 'webhook' }), 1);
    assert.equal(value(families, 'pulsemap_outbox_depth'), 2);
    assert.equal(value(families, 'pulsemap_config_reload_errors_total'), 1);
    assert.equal(value(families, 'pulsemap_config_valid'), 0);
    metrics.configReloaded();
    assert.equal(value((await scrape()).families, 'pulsemap_config_valid'), 1);

    // Checks at once: none running now, none waiting, the pacer's starting limit.
    assert.equal(value(families, 'pulsemap_checks_in_flight'), 0);
    assert.equal(value(families, 'pulsemap_checks_waiting'), 0);
    assert.equal(value(families, 'pulsemap_checks_limit'), 100);

    // Default process metrics, on this service's own registry.
    assert.ok(value(families, 'process_cpu_user_seconds_total') > 0);
    assert.ok(find(families, 'nodejs_heap_size_used_bytes').length === 1);

    // Labels come only from names, types and groups.
    for (const secret of [TOKEN, HEADER_SECRET, URL_PASSWORD, 'header-secret', '127.0.0.1']) {
      assert.ok(!text.includes(secret), `${secret} in /metrics`);
    }
    const allowed = new Set(['name', 'type', 'group', 'status', 'result', 'le', 'channel', 'site', 'outcome']);
    const used = [...families.entries()].filter(([n]) => n.startsWith('pulsemap_')).flatMap(([, f]) => f.samples.flatMap((x) => Object.keys(x.labels)));
    assert.deepEqual([...new Set(used)].filter((l) => !allowed.has(l)), []);
  });

  it('drops the series of an entity that leaves the configuration or changes group', async () => {
    const before = (await scrape()).families;
    assert.ok(find(before, 'pulsemap_check_duration_seconds_count', { name: 'broken' }).length === 1);
    const config = monitor.config();
    monitor.apply({
      ...config,
      entities: config.entities.filter((e) => e.name !== 'broken').map((e) => (e.name === 'web' ? { ...e, group: 'core' } : e)),
    });
    const { families, text } = await scrape();
    assert.ok(!text.includes('name="broken"'), 'no series of a removed entity');
    assert.deepEqual(find(families, 'pulsemap_check_duration_seconds_count', { name: 'web', group: 'edge' }), []);
    assert.equal(value(families, 'pulsemap_entity_status', { name: 'web', group: 'core', status: 'ok' }), 1);
    await monitor.checkNow('web');
    assert.equal(value((await scrape()).families, 'pulsemap_check_duration_seconds_count', { name: 'web', group: 'core' }), 1);
  });
});
