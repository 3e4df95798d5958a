import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { runCheck } from '../../src/checks/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { createApp } from '../../src/server/app.ts';
import { createMapService } from '../../src/map/service.ts';
import type { MapService } from '../../src/map/service.ts';
import { createEventHub } from '../../src/server/routes/events.ts';
import type { EventHub } from '../../src/server/routes/events.ts';
import { silentLogger } from '../../src/log.ts';
import { fakeClock } from '../helpers/clock.ts';
import { apiEntity, configOf } from '../helpers/entities.ts';
import { serve, startTarget } from '../helpers/http.ts';
import type { Served, Target } from '../helpers/http.ts';
import { entityCells } from './helpers.ts';

let dir: string;
let db: Target;
let web: Target;
let store: Store;
let monitor: Monitor;
let map: MapService;
let hub: EventHub;
let api: Served;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-map-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  db = await startTarget();
  web = await startTarget();
  const config = configOf([apiEntity('web', web.url, ['db'], { failure_threshold: 1 }), apiEntity('db', db.url, [], { failure_threshold: 1 })]);
  store = await openSqliteStore({ dir });
  monitor = createMonitor({ config, store, runCheck, clock: fakeClock(), random: () => 0.5 });
  await monitor.start();
  map = createMapService({ monitor });
  hub = createEventHub({ monitor, store, flushMs: 300, heartbeatMs: 100 });
  monitor.connect([map, hub]);
  api = await serve(createApp({
    monitor, store, logger: silentLogger(), map, events: hub, webDir: dir,
    configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }),
  }).callback());
});

after(async () => {
  hub.close();
  await api.close();
  await map.close();
  await monitor.stop();
  await store.close();
  await db.close();
  await web.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request, so compression and headers are seen as sent. */
function raw(p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(`${api.base}${p}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('GET /map.svg: strong ETag, 304 while unchanged, recoloured without a layout after a status change', async () => {
  const first = await raw('/map.svg');
  assert.equal(first.status, 200);
  assert.match(first.headers['content-type']!, /^image\/svg\+xml/);
  const etag = first.headers.etag!;
  assert.match(etag, /^"[\w-]+"$/, 'strong validator');
  assert.equal(entityCells(first.body.toString()), 2);
  assert.match(String(first.headers['content-security-policy']), /script-src 'self'/);

  const again = await raw('/map.svg', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);

  const layouts = map.layouts();
  db.status = 503;
  await monitor.checkNow('db');
  const changed = await raw('/map.svg', { 'if-none-match': etag });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, etag);
  assert.match(changed.body.toString(), /class="pm-node pm-error" data-entity="db"/);
  assert.equal(map.layouts(), layouts, 'a status change is a recolour, not a layout');
  db.status = 200;
  await monitor.checkNow('db');
});

test('GET /map.svg is compressed for clients that accept it', async () => {
  const plain = await raw('/map.svg');
  const gz = await raw('/map.svg', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < plain.body.length / 3);
  assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  const br = await raw('/map.svg', { 'accept-encoding': 'br, gzip' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(brotliDecompressSync(br.body).toString(), plain.body.toString());
  assert.match(String(gz.headers.vary), /accept-encoding/i);
  assert.notEqual(gz.headers.etag, plain.headers.etag, 'each representation has its own validator');
  assert.notEqual(gz.headers.etag, br.headers.etag);
  const again = await raw('/map.svg', { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag! });
  assert.equal(again.status, 304);
});

test('GET /map.nomnoml: the live source with ETag and 304', async () => {
  const first = await raw('/map.nomnoml');
  assert.equal(first.status, 200);
  assert.match(first.headers['content-type']!, /^text\/plain/);
  assert.match(first.body.toString(), /^#title: test$/m);
  assert.match(first.body.toString(), /^\[<\w+ id=n2>db\|/m);
  assert.match(first.body.toString(), /^\[n1\] -> \[n2\]$/m);
  assert.equal((await raw('/map.nomnoml', { 'if-none-match': first.headers.etag! })).status, 304);
});

test('the web page carries a Content-Security-Policy that allows only its own scripts', async () => {
  const page = await raw('/');
  assert.equal(page.status, 200);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
});

/** An SSE client reading the raw stream. */
function subscribe(): Promise<{ text: () => string; until(re: RegExp): Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${api.base}/events`, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type']!, /^text\/event-stream/);
      assert.equal(res.headers['content-encoding'], undefined, 'never compressed: events must not wait in a buffer');
      let text = '';
      const waiters: (() => void)[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; for (const w of waiters.splice(0)) w(); });
      resolve({
        text: () => text,
        async until(re) {
          const deadline = Date.now() + 5000;
          while (!re.test(text)) {
            if (Date.now() > deadline) assert.fail(`no ${re} in ${JSON.stringify(text)}`);
            await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
          }
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

test('GET /events: entity documents after checks, coalesced; config events; heartbeats; cleanup on disconnect', async () => {
  const client = await subscribe();
  await client.until(/^retry: \d+$/m);
  assert.equal(hub.clients(), 1);

  await monitor.checkNow('db');
  await monitor.checkNow('web');
  await client.until(/event: entity\ndata: \{"name":"web"/);
  const events = [...client.text().matchAll(/event: entity\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!));
  assert.deepEqual(events.map((e) => e.name).sort(), ['db', 'web'], 'two checks in one window: one event each, one batch');
  assert.equal(events.find((e) => e.name === 'db').status, 'ok');
  assert.deepEqual(Object.keys(events[0]).slice(0, 5), ['name', 'type', 'interval', 'lastcheck', 'status']);

  hub.configChanged({ path: 'entities.yaml', loaded_at: 0, error: ['entities.yaml:3:5: bad'] });
  await client.until(/event: config\ndata: .*entities\.yaml:3:5: bad/);
  await client.until(/^: heartbeat$/m);

  client.close();
  const deadline = Date.now() + 5000;
  while (hub.clients() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(hub.clients(), 0, 'the hub forgets a client that went away');
});

test('events: results within one flush period go out as one batch', async () => {
  // A hub of its own on a manual clock: the flush period is the clock's, not the machine's speed.
  const clock = fakeClock();
  const batching = createEventHub({ monitor, store, clock, flushMs: 300, heartbeatMs: 60_000 });
  monitor.connect([map, hub, batching]);
  const stream = batching.connect();
  const chunks: string[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (c: string) => chunks.push(c));
  try {
    await monitor.checkNow('db');
    await monitor.checkNow('web');
    await monitor.checkNow('db');
    assert.ok(!chunks.some((c) => c.includes('event: entity')), 'nothing before the gather window ends');
    await clock.advance(300);
    const deadline = Date.now() + 10_000;
    while (!chunks.some((c) => c.includes('event: entity')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const batches = chunks.filter((c) => c.includes('event: entity'));
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.match(/event: entity/g)!.length, 2, 'db checked twice is sent once, with its latest state');
  } finally {
    stream.destroy();
    batching.close();
    monitor.connect([map, hub]);
  }
});

test('events: a client that asks for batches gets one `entities` event per batch, with the same documents', async () => {
  const clock = fakeClock();
  const batching = createEventHub({ monitor, store, clock, flushMs: 300, heartbeatMs: 60_000 });
  monitor.connect([map, hub, batching]);
  const read = (stream: ReturnType<EventHub['connect']>) => {
    const chunks: string[] = [];
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => chunks.push(c));
    return () => chunks.join('');
  };
  const whole = batching.connect(undefined, { batch: true });
  const single = batching.connect();
  const [wholeText, singleText] = [read(whole), read(single)];
  try {
    await monitor.checkNow('db');
    await monitor.checkNow('web');
    await clock.advance(300);
    const deadline = Date.now() + 10_000;
    while (!(wholeText().includes('event: entities') && singleText().includes('event: entity')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const batches = [...wholeText().matchAll(/event: entities\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!) as { name: string }[]);
    assert.equal(batches.length, 1, 'one event for the batch');
    assert.doesNotMatch(wholeText(), /event: entity\n/);
    const singles = [...singleText().matchAll(/event: entity\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!) as { name: string });
    assert.deepEqual(batches[0]!.map((d) => d.name).sort(), ['db', 'web']);
    assert.deepEqual(batches[0], singles, 'the same documents as one event each');
    batching.configChanged({ path: 'entities.yaml', loaded_at: 0, error: null });
    while (!wholeText().includes('event: config') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(wholeText(), /event: config\ndata: /, 'configuration events as before');
  } finally {
    whole.destroy();
    single.destroy();
    batching.close();
    monitor.connect([map, hub]);
  }
});

test('events: a client that stops reading is dropped once 1 KiB waits for it; a reading client keeps every event', async () => {
  const limited = createEventHub({ monitor, store, heartbeatMs: 60_000, maxBufferedBytes: 1024 });
  let drops = 0;
  const stalled = limited.connect(() => { drops += 1; });
  const reading = limited.connect(() => assert.fail('the reading client was dropped'));
  let received = '';
  reading.setEncoding('utf8');
  reading.on('data', (c: string) => { received += c; });
  try {
    const status = { path: '/etc/pulsemap/entities.yaml', loaded_at: 0, error: null };
    const sent = 40;
    for (let i = 0; i < sent; i++) {
      limited.configChanged(status);
      // Lets the reading client take what was written, as a socket would.
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(drops, 1, 'the stalled client is dropped once');
    assert.equal(limited.clients(), 1);
    assert.equal(received.match(/event: config\n/g)?.length, sent);
    assert.ok(stalled.readableLength <= 1024 + 200, `nothing more was queued for the dropped client: ${stalled.readableLength}`);
  } finally {
    stalled.destroy();
    reading.destroy();
    limited.close();
  }
});

test('views over HTTP: ?focus=, ?view=; /map.json names the layout of /map.svg; bad queries are 400, unknown names 404', async () => {
  const focus = await api.get('/map.svg?focus=web');
  assert.equal(focus.status, 200);
  const svg = await focus.text();
  assert.match(svg, /data-view="focus:web"/);
  assert.equal(entityCells(svg), 2);
  const cells = await (await api.get('/map.json?focus=web')).json() as { view: string; layout: string; cells: { kind: string; name: string; status: string; lines: string[][] }[] };
  assert.equal(cells.view, 'focus:web');
  assert.equal(cells.layout, /data-layout="([^"]+)"/.exec(svg)![1]);
  assert.deepEqual(cells.cells.map((c) => c.name).sort(), ['db', 'web']);
  assert.match(await (await api.get('/map.nomnoml?view=problems')).text(), /^\/\/ pulsemap view: problems$/m);
  for (const [query, status] of [['?view=everything', 400], ['?group=a&focus=b', 400], ['?view=all&view=all', 400], ['?focus=nope', 404], ['?group=nope', 404], ['?range=web', 400], ['?range=a..b', 404], ['?range=a..b&group=c', 400]] as const) {
    for (const file of ['map.svg', 'map.nomnoml', 'map.json']) {
      const res = await api.get(`/${file}${query}`);
      assert.equal(res.status, status, `${file}${query}`);
      assert.ok(typeof (await res.json() as { error: string }).error === 'string');
    }
  }
});
