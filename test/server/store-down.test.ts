// The HTTP API while the store fails: /health says so with 503, the entity documents, the map
// and the metrics answer from memory, history answers 503 with the store's error, and all is
// whole again once the store is back, without a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { runCheck } from '../../src/checks/index.ts';
import { openWatchedStore } from '../../src/store/health.ts';
import type { StoreHealth } from '../../src/store/health.ts';
import { createApp } from '../../src/server/app.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createMapService } from '../../src/map/service.ts';
import type { MapService } from '../../src/map/service.ts';
import { silentLogger } from '../../src/log.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { apiEntity, configOf } from '../helpers/entities.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';
import { diskFullError, faultyStore } from '../helpers/faulty-store.ts';
import type { FaultyStore } from '../helpers/faulty-store.ts';
import { parsePrometheus, value } from '../helpers/prometheus.ts';
import { tempStore } from '../alerts/helpers.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { TempStore } from '../alerts/helpers.ts';

let temp: TempStore;
let faulty: FaultyStore;
let health: StoreHealth;
let target: Target;
let clock: FakeClock;
let monitor: Monitor;
let map: MapService;
let api: Served;

before(async () => {
  temp = await tempStore();
  // Writes only when asked: the faults are injected around the store, so its own timer must not drain the queue.
  await temp.store.close();
  faulty = faultyStore(await openSqliteStore({ dir: temp.dir, flushIntervalMs: 3_600_000 }));
  clock = fakeClock(Date.parse('2026-11-21T06:00:00.000Z'));
  health = await openWatchedStore(async () => faulty.store, { clock });
  target = await startTarget();
  monitor = createMonitor({ config: configOf([apiEntity('web', target.url)]), store: health.store, runCheck, clock, random: () => 0.5 });
  await monitor.start();
  map = createMapService({ monitor, logger: silentLogger() });
  monitor.connect([map]);
  const metrics = createMetrics({ monitor, store: health.status, outboxDepth: () => health.store.outboxDepth(), processMetrics: false });
  api = await serve(createApp({
    monitor, store: health.store, logger: silentLogger(), clock, metrics, map, storeStatus: health.status,
    webDir: new URL('../../web/', import.meta.url).pathname,
    configStatus: () => ({ path: '/etc/pulsemap/entities.yaml', loaded_at: Date.parse('2026-11-21T05:00:00.000Z'), error: null }),
  }).callback());
  await monitor.checkNow('web');
  await health.store.flush();
});

after(async () => {
  await api.close();
  await monitor.stop();
  await map.close();
  await health.store.close();
  await target.close();
  temp.remove();
});

const storeUp = async () => value(parsePrometheus(await (await api.get('/metrics')).text()), 'pulsemap_store_up');

test('while the store fails: /health 503 with the error, documents and map from memory, history 503; whole again after', async () => {
  assert.equal((await api.get('/health')).status, 200);
  assert.equal(await storeUp(), 1);

  faulty.fail(diskFullError());
  await clock.advance(1000);
  target.status = 503;
  await monitor.checkNow('web'); // checks go on; its write waits in memory
  await assert.rejects(health.store.flush());

  const res = await api.get('/health');
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.equal(body.status, 'degraded');
  assert.deepEqual(body.store, {
    ok: false, kind: 'sqlite', error: 'database or disk is full', since: '2026-11-21T06:00:01.000Z', queued: 3, dropped: 0,
  }, 'the result, its state and its status change wait');
  assert.equal(body.entities, 1);

  const list = await api.get('/entities');
  assert.equal(list.status, 200);
  const [doc] = await list.json();
  assert.equal(doc.fail_count, 1, 'the check during the outage counts');
  assert.equal((await api.get('/entities/web')).status, 200);
  assert.equal((await api.get('/map.nomnoml')).status, 200);
  assert.equal((await api.get('/map.svg')).status, 200);

  const history = await api.get('/entities/web/history');
  assert.equal(history.status, 503);
  assert.deepEqual(await history.json(), { error: 'store unavailable: database or disk is full' });
  const metrics = parsePrometheus(await (await api.get('/metrics')).text());
  assert.equal(value(metrics, 'pulsemap_store_up'), 0);
  assert.equal(value(metrics, 'pulsemap_store_queued_writes'), 3);
  assert.equal(value(metrics, 'pulsemap_store_dropped_writes_total'), 0);

  faulty.fail(null);
  await clock.advance(1000);
  const healed = await api.get('/health');
  assert.equal(healed.status, 200);
  assert.deepEqual((await healed.json()).store, { ok: true, kind: 'sqlite', error: null, since: null, queued: 0, dropped: 0 });
  const rows = await (await api.get('/entities/web/history')).json();
  assert.deepEqual(rows.map((r: { ok: boolean }) => r.ok), [false, true], 'the result checked during the outage is stored');
  assert.equal(await storeUp(), 1);
});

test('the page shows a banner while the store fails, with the entities still listed', async () => {
  faulty.fail(diskFullError());
  await assert.rejects(health.store.flush().then(() => health.store.setMeta('x', 'y')));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(api.base + '/');
    await page.locator('#store-banner').waitFor({ state: 'visible' });
    assert.match(await page.locator('#store-banner').innerText(), /The store is failing\..*database or disk is full.*writes waiting in memory/s);
    await page.locator('[data-entity="web"]').first().waitFor();
  } finally {
    await browser.close();
    faulty.fail(null);
    await clock.advance(1000);
  }
  assert.equal(health.status().ok, true);
});
