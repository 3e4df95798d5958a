// Regenerates the README's screenshots: a pulsemap on 127.0.0.1 with 30 days of made-up history
// (test/helpers/history.ts), photographed in headless Chromium. `npm run screenshots` (after the map screenshots).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from '../test/helpers/browser.ts';
import { startService } from '../src/main.ts';
import { silentLogger } from '../src/log.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { startTarget } from '../test/helpers/http.ts';
import { seedHistory } from '../test/helpers/history.ts';

const OUT = path.resolve(import.meta.dirname, '../docs/screenshots');
const NAMES = ['shop_api', 'checkout', 'payments_db', 'search'];

const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-shots-'));
const target = await startTarget();
try {
  const data = path.join(dir, 'data');
  const store = await openSqliteStore({ dir: data });
  const now = Date.now() - 60_000;
  for (const [i, name] of NAMES.entries()) {
    await seedHistory(store, { name, now, days: 30, intervalS: name === 'shop_api' ? 10 : 60, seed: i + 1, outages: i === 2 ? [[30, 40], [300, 15]] : undefined });
  }
  await store.close();
  writeFileSync(path.join(dir, 'entities.yaml'), `title: Fold shop
entities:
  shop_api: { type: api, url: ${target.url}, interval: 3600, dependencies: [payments_db], group: storefront }
  checkout: { type: api, url: ${target.url}, interval: 3600, dependencies: [payments_db], group: storefront }
  payments_db: { type: api, url: ${target.url}, interval: 3600 }
  search: { type: api, url: ${target.url}, interval: 3600, group: storefront }
status_pages:
  public:
    title: Fold shop status
    description: Live status of the shop, the checkout and search.
    entities: [shop_api, checkout, search]
    groups: [storefront]
    show_latency: true
announcements:
  - title: Payment provider maintenance
    body: Card payments may be slow between 02:00 and 03:00 UTC on Sunday.
    severity: warning
`);
  const service = await startService({ config: path.join(dir, 'entities.yaml'), port: 0, host: '127.0.0.1', data, store: null, logger: silentLogger() });
  const browser = await launchChromium();
  try {
    mkdirSync(OUT, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width: 900, height: 900 }, colorScheme: scheme });
      await page.goto(`${service.url}/status/public`);
      await page.screenshot({ path: path.join(OUT, `status-page-${scheme}.png`), fullPage: true });
      await page.close();
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
    await page.goto(`${service.url}/`);
    await page.locator('#rows tr', { hasText: 'shop_api' }).click();
    const charts = page.locator('#details .charts');
    await charts.getByRole('button', { name: '7d' }).click();
    await page.waitForFunction(() => document.querySelector('#details .charts')?.getAttribute('data-points') === '168');
    await charts.screenshot({ path: path.join(OUT, 'details-chart.png') });
    await page.close();
    process.stdout.write(`screenshots written to ${OUT}\n`);
  } finally {
    await browser.close();
    await service.close();
  }
} finally {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
}
