// Paths a scanner tries on the page's files: answered 400/404, nothing outside the web directory
// is served, and nothing is logged above debug level.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { runCheck } from '../../src/checks/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { createApp } from '../../src/server/app.ts';
import { fakeClock } from '../helpers/clock.ts';
import { configOf } from '../helpers/entities.ts';
import { serve } from '../helpers/http.ts';
import type { Served } from '../helpers/http.ts';
import { captureLogger } from '../alerts/helpers.ts';

const SECRET = 'outside-the-web-directory';
let dir: string;
let store: Store;
let monitor: Monitor;
let api: Served;
const { logger, lines } = captureLogger();

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-static-'));
  const web = path.join(dir, 'web');
  mkdirSync(web);
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(path.join(dir, 'passwd'), SECRET);
  store = await openSqliteStore({ dir: path.join(dir, 'data') });
  monitor = createMonitor({ config: configOf([]), store, runCheck, clock: fakeClock(), random: () => 0.5 });
  await monitor.start();
  api = await serve(createApp({
    monitor, store, logger, webDir: web,
    configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }),
  }).callback());
});

after(async () => {
  await api.close();
  await monitor.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends the path exactly as written: fetch() and URL strings would normalise dot segments. */
function rawGet(p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(api.base);
    http.get({ hostname, port, path: p }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

const cases: { path: string; status: number }[] = [
  { path: '/%2e%2e/%2e%2e/etc/passwd', status: 400 },
  { path: '/%2e%2e/passwd', status: 400 },
  { path: '/../passwd', status: 400 },
  { path: '/..%2fpasswd', status: 400 },
  { path: '/%2e%2e%5cpasswd', status: 400 },
  { path: '/index.html%00.txt', status: 400 },
  { path: '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', status: 400 },
  { path: '/%c0%ae', status: 400 },
  { path: '/%', status: 400 },
  { path: '/no-such-file.js', status: 404 },
];

for (const c of cases) {
  test(`GET ${c.path} answers ${c.status} with a JSON error`, async () => {
    const before = lines.length;
    const res = await rawGet(c.path);
    assert.equal(res.status, c.status);
    assert.ok(!res.body.includes(SECRET), 'nothing outside the web directory is served');
    assert.equal(typeof JSON.parse(res.body).error, 'string');
    const logged = lines.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string });
    assert.deepEqual(logged.filter((l) => l.level > 20), [], 'logged at most at debug level');
  });
}

test('the page itself is still served', async () => {
  const res = await rawGet('/index.html');
  assert.equal(res.status, 200);
  assert.match(res.body, /<title>page<\/title>/);
});
