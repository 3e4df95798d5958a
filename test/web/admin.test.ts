// The admin dialog in a real headless Chromium: users (add, change role, set a password, the
// last admin kept, delete) and notify settings (a channel whose secret must be a ${VAR}
// reference, notify.default, a group's channels), each change shown as a diff before saving.
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
import { launchChromium } from '../helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');
const ENV = { TG_TOKEN: '123456:bot-token-that-stays-secret', TG_CHAT: '-1009988', SLACK_HOOK: 'https://hooks.slack.example/T0/B0/hook-secret-path' };
let dir: string;
let file: string;
let service: Service;
let browser: Browser;
let page: Page;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-admin-'));
  file = path.join(dir, 'entities.yaml');
  const hash = await hashPassword('root-password-1', { N: 1024, r: 8, p: 1 });
  writeFileSync(file, `title: Admin
auth:
  users:
    - { name: root, role: admin, password_hash: "${hash}" }
notify:
  ops:
    type: telegram
    token: \${TG_TOKEN}
    chat_id: \${TG_CHAT}
entities:
  web: { type: ping, host: 127.0.0.1, interval: 600, group: eu }
`);
  service = await startService({ config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger: silentLogger(), env: ENV });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
});

after(async () => {
  await browser?.close();
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = () => readFileSync(file, 'utf8');

/** Waits for the diff of a dry run in `box`, checks it, and saves. */
async function saveAfterDiff(box: string, expected: RegExp): Promise<void> {
  const diff = page.locator(`${box} pre.diff`);
  await diff.waitFor({ state: 'visible' });
  assert.match(await diff.textContent() ?? '', expected);
  await page.locator(`${box} .review-save`).click();
  await diff.waitFor({ state: 'detached' });
}

test('an admin manages users and notify settings from the page', async () => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(service.url.replace('localhost', '127.0.0.1'));
  await page.fill('#login-name', 'root');
  await page.fill('#login-password', 'root-password-1');
  await page.click('#login button');
  await page.click('#admin');
  const users = page.locator('#users');
  await users.waitFor();
  assert.deepEqual(await users.locator('tbody tr td:first-child').allTextContents(), ['root']);

  // Add a user: the diff shows the hash hidden; the file gets a hash, never the password.
  await page.fill('#new-user-name', 'cy');
  await page.selectOption('#new-user-role', 'editor');
  await page.fill('#new-user-password', 'cy-password-123');
  await page.click('#new-user button[type="submit"]');
  await saveAfterDiff('#users-review', /\+ {4}- \{ name: cy, role: editor, password_hash: <hidden> \}/);
  await users.locator('tr[data-user="cy"]').waitFor();
  assert.match(read(), /- \{ name: cy, role: editor, password_hash: scrypt\$16384\$8\$5\$\S+ \}\n/);
  assert.ok(!read().includes('cy-password-123'));

  // Change the role, set a new password.
  await page.selectOption('#role-cy', 'admin');
  await saveAfterDiff('#users-review', /-.*name: cy, role: editor.*\n\+.*name: cy, role: admin/);
  await page.locator('#role-cy').waitFor();
  assert.equal(await page.locator('#role-cy').inputValue(), 'admin');
  const before = /name: cy, role: admin, password_hash: (\S+) \}/.exec(read())![1];
  await page.fill('tr[data-user="cy"] input[type="password"]', 'another-password-9');
  await page.click('tr[data-user="cy"] >> text=Set password');
  await saveAfterDiff('#users-review', /\+.*name: cy, role: admin, password_hash: <hidden>/);
  assert.notEqual(/name: cy, role: admin, password_hash: (\S+) \}/.exec(read())![1], before);

  // Back to viewer; then root is the last admin and cannot go.
  await page.selectOption('#role-cy', 'viewer');
  await saveAfterDiff('#users-review', /\+.*name: cy, role: viewer/);
  await page.click('tr[data-user="root"] >> text=Delete');
  await page.locator('#users-review .field-error').waitFor();
  assert.match(await page.locator('#users-review .field-error').textContent() ?? '', /'root' is the last admin/);
  await page.click('tr[data-user="cy"] >> text=Delete');
  await saveAfterDiff('#users-review', /- {4}- \{ name: cy, role: viewer/);
  await page.locator('tr[data-user="cy"]').waitFor({ state: 'detached' });
  assert.ok(!read().includes('name: cy'));

  // Notify: secrets shown as written; a new one must be a reference.
  await page.click('#admin-tab-notify');
  const channels = page.locator('#channels');
  await channels.waitFor();
  assert.match(await channels.locator('tr[data-channel="ops"]').textContent() ?? '', /token: \$\{TG_TOKEN\}/);
  await page.click('#add-channel');
  await page.fill('#channel-name', 'chat');
  await page.selectOption('#channel-type', 'slack');
  const url = page.locator('#channel-form .field[data-path="url"]');
  await url.locator('input').fill(ENV.SLACK_HOOK);
  await page.click('#channel-review');
  await url.locator('.field-error').waitFor({ state: 'visible' });
  assert.match(await url.locator('.field-error').textContent() ?? '', /is a secret: write it as a \$\{VAR\} reference/);
  assert.ok(!read().includes('  chat:'), 'nothing written');
  await url.locator('input').fill('${SLACK_HOOK}');
  await page.click('#channel-review');
  await saveAfterDiff('#notify-review', /\+ {2}chat: \{ type: slack, url: "\$\{SLACK_HOOK\}" \}/);
  await channels.locator('tr[data-channel="chat"]').waitFor();

  // notify.default, then a group's channels.
  await page.fill('#notify-default', 'ops, chat');
  await page.click('#notify-settings button[type="submit"]');
  await saveAfterDiff('#notify-review', /\+ {2}default: \[ops, chat\]/);
  await page.fill('#group-routes tr[data-group=""] input[aria-label="group path"]', 'eu');
  await page.fill('#group-routes tr[data-group=""] input[aria-label="channels of the new group"]', 'chat');
  await page.click('#group-routes tr[data-group=""] >> text=Review');
  await saveAfterDiff('#notify-review', /\+groups:\n\+ {2}eu:\n\+ {4}notify: \[chat\]/);
  await page.locator('#group-routes tr[data-group="eu"]').waitFor();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'admin-notify.png') });

  assert.ok(read().endsWith('  chat: { type: slack, url: "${SLACK_HOOK}" }\n  default: [ops, chat]\nentities:\n  web: { type: ping, host: 127.0.0.1, interval: 600, group: eu }\ngroups:\n  eu:\n    notify: [chat]\n'), read());
  assert.deepEqual(service.monitor.config().notify.channels.map((c) => c.name), ['ops', 'chat'], 'running');
  // The audit log names what each change was to.
  await page.click('#admin-dialog >> text=Close');
  await page.click('#audit');
  await page.locator('#editor .audit-list li').first().waitFor();
  const entries = await page.locator('#editor .audit-list li strong').allTextContents();
  assert.deepEqual(entries.slice(0, 3), ['update notify group eu', 'update notify settings', 'create notify chat']);
  assert.ok(entries.includes('create user cy') && entries.includes('delete user cy'), entries.join(', '));
  const content = await page.content();
  for (const secret of Object.values(ENV)) assert.ok(!content.includes(secret), 'no secret on the page');
  assert.doesNotMatch(content, /scrypt\$/);
  assert.deepEqual(errors, []);
});
