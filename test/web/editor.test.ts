// Login and the entity forms in a real headless Chromium: log in, add an entity (its YAML diff
// shown first), see it on the map, get an error at the field, delete, log out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { silentLogger } from '../../src/log.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { startTarget } from '../helpers/http.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { Target } from '../helpers/http.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
let dir: string;
let file: string;
let target: Target;
let service: Service;
let browser: Browser;
let page: Page;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-editor-'));
  file = path.join(dir, 'entities.yaml');
  target = await startTarget();
  const hash = await hashPassword('ana-secret-pw', { N: 1024, r: 8, p: 1 });
  writeFileSync(file, `title: Editing
auth:
  users:
    - { name: ana, role: editor, password_hash: "${hash}" }
    - { name: root, role: admin, password_hash: "${hash}" }

entities:
  # The one API.
  web:
    type: api
    url: ${target.url}
    interval: 1
`);
  service = await startService({ config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger: silentLogger() });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
});

after(async () => {
  await browser?.close();
  await service?.close();
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('log in, add an entity after seeing its diff, see it on the map, a field error, delete it, log out', async () => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const url = service.url.replace('localhost', '127.0.0.1');

  await page.goto(url);
  assert.match(page.url(), /\/login\.html$/, 'without a session the page is the login form');
  await page.fill('#login-name', 'ana');
  await page.fill('#login-password', 'wrong-password');
  await page.click('#login button');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#login-error').textContent(), 'wrong name or password');
  await page.fill('#login-password', 'ana-secret-pw');
  await page.click('#login button');
  await page.locator('#canvas [data-entity="web"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('#account').textContent(), 'ana (editor)');
  const cookies = await page.context().cookies();
  assert.equal(cookies.find((c) => c.name === 'pulsemap_session')?.httpOnly, true);
  assert.equal(cookies.find((c) => c.name === 'pulsemap_session')?.sameSite, 'Strict');

  // Add an entity: first an invalid interval, shown at its field; then a good one.
  await page.click('#add-entity');
  const dialog = page.locator('#editor');
  await dialog.waitFor({ state: 'visible' });
  await page.fill('#editor-name', 'cache');
  await page.selectOption('#editor-type', 'api');
  const field = (name: string) => dialog.locator(`.field[data-path="${name}"]`);
  await field('url').locator('input').fill(target.url);
  await field('interval').locator('input').fill('0');
  assert.match(await field('interval').locator('.help').textContent() ?? '', /Seconds between checks/);
  await page.selectOption(`#editor .field[data-path="dependencies"] select`, ['web']);
  await page.click('#editor-review');
  await field('interval').locator('.field-error').waitFor({ state: 'visible' });
  assert.equal(await field('interval').locator('.field-error').textContent(), '/entities/cache/interval must be >= 1');
  await field('interval').locator('input').fill('2');
  await page.click('#editor-review');
  const diff = dialog.locator('pre.diff');
  await diff.waitFor({ state: 'visible' });
  const shown = await diff.textContent() ?? '';
  assert.match(shown, /\+  cache:\n\+    type: api\n/);
  assert.match(shown, /\+    dependencies: \[web\]\n/);
  assert.ok(!readFileSync(file, 'utf8').includes('cache:'), 'nothing is written before Save');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'editor.png') });
  await page.click('#editor-save');
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('#canvas [data-entity="cache"]').waitFor({ timeout: 10_000 });
  const written = readFileSync(file, 'utf8');
  assert.ok(written.startsWith('title: Editing\nauth:\n'), 'the rest of the file is as it was');
  assert.match(written, /  # The one API\.\n  web:\n/);
  assert.match(written, /    interval: 1\n  cache:\n    type: api\n    url: http:\/\/127\.0\.0\.1:\d+\/health\n    interval: 2\n    dependencies: \[web\]\n$/);

  // Delete it again from its details panel, after seeing the diff.
  await page.locator('#canvas [data-entity="cache"]').click();
  await page.waitForFunction(() => document.querySelector('#details-title')?.textContent === 'cache');
  await page.click('#delete-entity');
  await page.click('#editor-review');
  await dialog.locator('pre.diff').waitFor({ state: 'visible' });
  assert.match(await dialog.locator('pre.diff').textContent() ?? '', /-  cache:/);
  await page.click('#editor-save');
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('#canvas [data-entity="cache"]').waitFor({ state: 'detached', timeout: 10_000 });

  await page.click('#logout');
  await page.waitForURL(/\/login\.html$/);
  await page.goto(url);
  assert.match(page.url(), /\/login\.html$/, 'logged out: the page asks for a login again');

  // An admin sees the audit log: both changes, by ana, with their diffs.
  await page.fill('#login-name', 'root');
  await page.fill('#login-password', 'ana-secret-pw');
  await page.click('#login button');
  await page.click('#audit');
  await page.locator('#editor .audit-list li').first().waitFor();
  const entries = await page.locator('#editor .audit-list li strong').allTextContents();
  assert.deepEqual(entries, ['delete cache', 'create cache']);
  assert.match(await page.locator('#editor .audit-list li').first().textContent() ?? '', / by ana, /);
  assert.doesNotMatch(await page.content(), /scrypt\$/, 'no password hash on the page');
  assert.deepEqual(errors, []);
});
