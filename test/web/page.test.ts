// The web page in a real headless Chromium against a running pulsemap with real HTTP targets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from '../helpers/browser.ts';
import type { Browser, Page } from 'playwright-core';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { silentLogger } from '../../src/log.ts';
import { STATUS_COLOURS } from '../../src/map/palette.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

let dir: string;
let file: string;
let api: Target;
let db: Target;
let cache: Target;
let service: Service;
let browser: Browser;
let page: Page;

const yaml = (extra = '') => `title: Fold infrastructure
defaults: { interval: 1, retry_interval: 1, timeout: 2, failure_threshold: 1 }
entities:
  foldwrap_api:
    type: api
    url: ${api.url}
    dependencies: [fold_db, fold_cache]
    group: fold_vds
    extra: { runs_in: docker }
  fold_db:
    type: api
    url: ${db.url}
    group: fold_vds
  fold_cache:
    type: api
    url: ${cache.url}
${extra}`;

function save(text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const start = (port = 0) => startService({ config: file, port, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger: silentLogger() });

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-web-'));
  file = path.join(dir, 'entities.yaml');
  [api, db, cache] = await Promise.all([startTarget(), startTarget(), startTarget()]);
  save(yaml());
  service = await start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
});

after(async () => {
  await browser?.close();
  await service?.close();
  await Promise.all([api, db, cache].map((t) => t?.close()));
  rmSync(dir, { recursive: true, force: true });
});

const node = (name: string) => page.locator(`#canvas [data-entity="${name}"]`);
/** The fill the browser paints a cell's outline box with. */
const cellFill = (name: string) => node(name).locator('rect').first().evaluate((r) => getComputedStyle(r).fill);
const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

test('the page shows the live map, follows status changes without a reload, and opens details', async () => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(service.url);

  await page.locator('#canvas [data-entity]').first().waitFor();
  const names = await page.locator('#canvas [data-entity]').evaluateAll((els) => els.map((e) => e.getAttribute('data-entity')));
  assert.deepEqual(names.sort(), ['fold_cache', 'fold_db', 'foldwrap_api'], 'one node per entity');
  assert.equal(await page.locator('#rows tr').count(), 3, 'one table row per entity');
  assert.equal(await page.locator('#title').textContent(), 'Fold infrastructure');

  await page.waitForFunction(() => document.querySelector('#canvas [data-entity="fold_db"]')?.classList.contains('pm-ok'), null, { timeout: 10_000 });
  assert.equal(await cellFill('fold_db'), rgb(STATUS_COLOURS.ok.fill));

  // The target starts failing; the page must turn the node red by itself (no reload).
  db.status = 503;
  const navigations: string[] = [];
  page.on('framenavigated', (f) => navigations.push(f.url()));
  await page.waitForFunction(() => document.querySelector('#canvas [data-entity="fold_db"]')?.classList.contains('pm-error'), null, { timeout: 8000 });
  assert.equal(await cellFill('fold_db'), rgb(STATUS_COLOURS.error.fill));
  assert.deepEqual(navigations, [], 'no reload');
  await page.waitForFunction(() => document.querySelector('#summary .chip.pm-error .count')?.textContent === '1', null, { timeout: 3000 });

  await node('fold_db').click();
  const details = page.locator('#details');
  await details.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#details-title').textContent(), 'fold_db');
  await page.waitForFunction(() => document.querySelector('#details .message')?.textContent?.includes('503'), null, { timeout: 3000 });
  assert.match(await details.textContent() ?? '', /Needed by\s*foldwrap_api/);
  // Seconds of data: every uptime window says how little of it there is.
  assert.match(await details.locator('dd', { hasText: '24 h' }).innerText(),
    /^24 h [\d.]+ % \(data for \d+ s\) · 7 d [\d.]+ % \(data for \d+ s\) · 30 d [\d.]+ % \(data for \d+ s\)$/);
  assert.match(await page.locator('#rows tr', { hasText: 'fold_db' }).locator('td.col-uptime').getAttribute('title') ?? '', /^24 h: [\d.]+ % \(data for \d+ s\)$/);
  await page.locator('#details table.history tbody tr').first().waitFor();

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(300); // let the trail and the details settle for the screenshot
  await page.screenshot({ path: path.join(ARTIFACTS, 'web.png') });

  // Keyboard: Escape closes, Enter on a focused cell opens.
  await page.keyboard.press('Escape');
  await details.waitFor({ state: 'hidden' });
  await node('fold_cache').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#details-title')?.textContent === 'fold_cache');
  await page.keyboard.press('Escape');
  assert.deepEqual(errors, []);
});

test('configuration errors show as a banner and go away when the file is fixed', async () => {
  save(`${yaml()}  broken: [unclosed\n`);
  await page.locator('#banner').waitFor({ state: 'visible', timeout: 5000 });
  assert.match(await page.locator('#banner-lines').textContent() ?? '', /entities\.yaml:\d+:\d+: /);
  save(yaml());
  await page.locator('#banner').waitFor({ state: 'hidden', timeout: 5000 });
});

test('the theme toggle is remembered across a reload', async () => {
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  assert.equal(await theme(), 'light');
  await page.locator('#theme').click();
  assert.equal(await theme(), 'dark');
  await page.reload();
  await page.locator('#canvas [data-entity]').first().waitFor();
  assert.equal(await theme(), 'dark');
  assert.equal(await page.locator('#theme').getAttribute('aria-pressed'), 'true');
  await page.locator('#theme').click();
});

test('after a server restart the page reconnects by itself and follows changes again', async () => {
  const port = service.port;
  await service.close();
  await page.waitForFunction(() => document.getElementById('live')?.dataset.state === 'offline', null, { timeout: 5000 });
  service = await start(port);
  await page.waitForFunction(() => document.getElementById('live')?.dataset.state === 'live', null, { timeout: 8000 });
  db.status = 200;
  await page.waitForFunction(() => document.querySelector('#canvas [data-entity="fold_db"]')?.classList.contains('pm-ok'), null, { timeout: 8000 });
});

test('a maintenance window colours its entities blue on the map, counts them in their chip and shows it in the details; a flapping chip sits in the legend', async () => {
  await page.goto(service.url);
  await page.locator('#canvas [data-entity]').first().waitFor();
  assert.equal(await page.locator('#summary .chip.pm-flapping .label').textContent(), 'flapping', 'flapping has its chip beside the statuses');
  const now = Date.now();
  save(yaml(`maintenance:
  - { name: cache-swap, entities: [fold_cache], start: "${new Date(now - 60_000).toISOString()}", end: "${new Date(now + 3_600_000).toISOString()}", reason: new cache }
`));
  // The reload opens the window: fold_cache and foldwrap_api (which depends on it) follow.
  await page.waitForFunction(() => ['fold_cache', 'foldwrap_api'].every((n) => document.querySelector(`#canvas [data-entity="${n}"]`)?.classList.contains('pm-maintenance')), null, { timeout: 15_000 });
  assert.equal(await cellFill('fold_cache'), rgb(STATUS_COLOURS.maintenance.fill));
  await page.waitForFunction(() => document.querySelector('#summary .chip.pm-maintenance .count')?.textContent === '2', null, { timeout: 5000 });
  await node('fold_cache').click();
  await page.waitForFunction(() => document.querySelector('#details-title')?.textContent === 'fold_cache');
  assert.match(await page.locator('#details').textContent() ?? '', /Maintenancecache-swap, until .*: checked, no alerts/);
  await page.keyboard.press('Escape');
  save(yaml());
  await page.waitForFunction(() => !document.querySelector('#canvas [data-entity="fold_cache"]')?.classList.contains('pm-maintenance'), null, { timeout: 15_000 });
});
