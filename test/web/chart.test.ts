// The details chart in a real headless Chromium: 30 days of 10-second checks (259,200 results)
// stored for one entity, drawn through the series API and uPlot. How fast it stays is measured
// in bench/series.ts; here: it draws, with the right data, in every window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from '../helpers/browser.ts';
import type { Browser, Page } from 'playwright-core';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { silentLogger } from '../../src/log.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { firstCheckAt, seedHistory } from '../helpers/history.ts';
import type { HistoryOptions } from '../helpers/history.ts';

let dir: string;
let target: Target;
let service: Service;
let browser: Browser;
let page: Page;
let history: HistoryOptions;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-chart-'));
  target = await startTarget();
  const data = path.join(dir, 'data');
  const store = await openSqliteStore({ dir: data });
  history = { name: 'shop_api', now: Date.now() - 60_000, days: 30, intervalS: 10 };
  const written = await seedHistory(store, history);
  await store.close();
  assert.equal(written, 30 * 8640);
  writeFileSync(path.join(dir, 'entities.yaml'), `entities:\n  shop_api: { type: api, url: ${target.url}, interval: 3600 }\nannouncements:\n  - { title: 'Planned <b>work</b>', body: 'tonight', severity: warning }\n`);
  service = await startService({ config: path.join(dir, 'entities.yaml'), port: 0, host: '127.0.0.1', data, store: null, logger: silentLogger() });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
  await service?.close();
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** How many canvas pixels differ from the top-left one: a drawn chart has thousands. */
const paintedPixels = () => page.locator('.charts canvas').evaluate((c: HTMLCanvasElement) => {
  const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0) n++;
  return n;
});

test('the details panel draws the response-time chart and the 90-day bar from 30 days of 10-second checks', async () => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${service.url}/`);
  // Announcements show above the map, as text.
  const note = page.locator('.announcements .announcement.warning');
  await note.waitFor();
  assert.equal(await note.innerText(), 'Planned <b>work</b> — tonight');
  await page.locator('#rows tr', { hasText: 'shop_api' }).click();
  const charts = page.locator('#details .charts');
  await charts.locator('canvas').waitFor();
  assert.equal(await charts.getAttribute('data-points'), '288'); // 24h in 5-minute buckets

  const series = (await (await fetch(`${service.url}/entities/shop_api/series?window=30d`)).json()) as { from: string; buckets: { checks: number }[]; coverage: number };
  assert.equal(series.buckets.length, 720);
  assert.ok(series.coverage > 0.99, `coverage ${series.coverage}`);
  // Every stored check from the window's first hour bucket on is counted once.
  const first = Math.max(firstCheckAt(history), Date.parse(series.from));
  const inWindow = Math.ceil((history.now - first) / 10_000);
  assert.equal(series.buckets.reduce((n, b) => n + b.checks, 0), inWindow);

  await charts.getByRole('button', { name: '30d' }).click();
  await page.waitForFunction(() => document.querySelector('#details .charts')?.getAttribute('data-points') === '720');
  assert.ok(await paintedPixels() > 5000, 'the canvas is drawn');
  // The legend follows the cursor: hovering the plot shows a p95 in ms.
  const over = await charts.locator('.u-over').boundingBox();
  await page.mouse.move(over!.x + over!.width * 0.6, over!.y + over!.height / 2);
  assert.match(await charts.locator('.u-legend').innerText(), /p95\s*\d+ ms/i);

  const days = charts.locator('.uptime-bar .day');
  assert.equal(await days.count(), 90);
  // 60 days before the history began, then one bar per stored day; outages show their downtime.
  assert.match((await days.first().getAttribute('title'))!, /no data/);
  const titles = await days.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  assert.ok(titles.some((t) => /down (\d+ min|\d+ h)/.test(t) && !/down 0 s/.test(t)), 'a day with an outage shows its downtime');
  assert.deepEqual(errors, []);
});
