// How long a series takes to read, per window, on both engines, with 90 days of history: the
// long windows come from the hourly aggregates, so their cost follows the hours, not the results
// (the same with a check every 10 s as every 60 s). Then the page: how long the details chart
// takes to load and draw 30 days of an entity checked every 10 s, and how long a cursor move
// over it keeps the main thread, in headless Chromium.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { launchChromium } from '../test/helpers/browser.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import type { Store } from '../src/store/store.ts';
import { loadSeries } from '../src/series/load.ts';
import { WINDOW_NAMES } from '../src/series/windows.ts';
import { startService } from '../src/main.ts';
import { silentLogger } from '../src/log.ts';
import { seedHistory } from '../test/helpers/history.ts';
import { startTarget } from '../test/helpers/http.ts';
import { FULL, fmt, quantile, table, tempDir, withTempDatabase } from './common.ts';

const RUNS = FULL ? 50 : 15;
const NOW = Date.now();
const ENTITIES = [{ name: 'every10s', intervalS: 10 }, { name: 'every60s', intervalS: 60 }];

async function measure(engine: string, store: Store, rows: (string | number)[][]): Promise<void> {
  let written = 0;
  const t = performance.now();
  for (const e of ENTITIES) written += await seedHistory(store, { name: e.name, now: NOW, days: 90, intervalS: e.intervalS });
  const seeded = (performance.now() - t) / 1000;
  console.error(`${engine}: ${fmt(written, 0)} results written in ${fmt(seeded)} s`);
  for (const e of ENTITIES) {
    for (const window of WINDOW_NAMES) {
      const times: number[] = [];
      let buckets = 0;
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        buckets = (await loadSeries(store, [e.name], window, NOW)).buckets.length;
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      rows.push([engine, `${e.intervalS} s`, window, buckets, fmt(quantile(times, 0.5), 2), fmt(quantile(times, 0.95), 2)]);
    }
  }
}

const rows: (string | number)[][] = [];
{
  const dir = tempDir('series');
  try {
    const store = await openSqliteStore({ dir: dir.path });
    try { await measure('SQLite', store, rows); } finally { await store.close(); }
  } finally {
    dir.remove();
  }
}
await withTempDatabase(async (url) => {
  const store = await openPostgresStore({ url });
  try { await measure('PostgreSQL', store, rows); } finally { await store.close(); }
});
console.log(`### Series: one entity, 90 days of history (1h and 24h from raw results, 7d-90d from hourly aggregates), ${RUNS} reads each\n`);
console.log(table(['store', 'check interval', 'window', 'buckets', 'median ms', 'p95 ms'], rows));

// The page: 30 days of 10-second checks (259,200 results) behind the details chart.
{
  const dir = tempDir('series-page');
  const target = await startTarget();
  try {
    const data = join(dir.path, 'data');
    const store = await openSqliteStore({ dir: data });
    await seedHistory(store, { name: 'shop_api', now: NOW, days: 30, intervalS: 10 });
    await store.close();
    writeFileSync(join(dir.path, 'entities.yaml'), `entities:\n  shop_api: { type: api, url: ${target.url}, interval: 3600 }\n`);
    const service = await startService({ config: join(dir.path, 'entities.yaml'), port: 0, host: '127.0.0.1', data, store: null, logger: silentLogger() });
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const prow: (string | number)[][] = [];
    try {
      await page.addInitScript(() => {
        const w = window as unknown as { longest: number; longTasks: number };
        w.longest = 0;
        w.longTasks = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) { w.longTasks++; w.longest = Math.max(w.longest, e.duration); }
        }).observe({ type: 'longtask', buffered: true });
      });
      await page.goto(`${service.url}/`);
      await page.locator('#rows tr', { hasText: 'shop_api' }).click();
      const charts = page.locator('#details .charts');
      await charts.locator('canvas').waitFor();
      for (const window of ['30d', '7d', '90d', '24h', '30d']) {
        const t = performance.now();
        await charts.getByRole('button', { name: window }).click();
        await page.waitForFunction((w) => document.querySelector('#details .charts button[aria-pressed="true"]')?.textContent === w
          && document.querySelector('#details .charts')?.getAttribute('data-points') === String({ '24h': 288, '7d': 168, '30d': 720, '90d': 90 }[w]), window);
        prow.push([`click ${window} -> chart drawn (fetch + draw)`, fmt(performance.now() - t, 0)]);
      }
      const over = (await charts.locator('.u-over').boundingBox())!;
      const moves = await page.evaluate(async ({ x, y, width, height }) => {
        const el = document.querySelector('#details .u-over')!;
        const times: number[] = [];
        for (let i = 0; i < 100; i++) {
          const s = performance.now();
          el.dispatchEvent(new MouseEvent('mousemove', { clientX: x + (width * i) / 100, clientY: y + height / 2, bubbles: true }));
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          times.push(performance.now() - s);
        }
        return times.sort((a, b) => a - b);
      }, over);
      prow.push(['cursor move over the 30d chart, to next frame: median', fmt(quantile(moves, 0.5), 1)]);
      prow.push(['cursor move over the 30d chart, to next frame: p95', fmt(quantile(moves, 0.95), 1)]);
      const lt = await page.evaluate(() => { const w = window as unknown as { longest: number; longTasks: number }; return { longest: w.longest, longTasks: w.longTasks }; });
      prow.push(['long tasks (> 50 ms) on the page while doing all of the above', `${lt.longTasks} (longest ${fmt(lt.longest, 0)} ms)`]);
    } finally {
      await browser.close();
      await service.close();
    }
    console.log('\n### The details chart with 30 days of 10-second checks (headless Chromium, same machine)\n');
    console.log(table(['step', 'ms'], prow));
  } finally {
    await target.close();
    dir.remove();
  }
}
