// The page opened while many entities report at once, in a real headless Chromium against a
// running pulsemap with real targets on 127.0.0.1: the list is loaded once, the events of the
// first check interval are applied in batches, and the table, its order and the counts follow.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchBrowser, startCompanyTargets, startPulsemap } from '../../bench/browser.ts';
import type { Running } from '../../bench/browser.ts';
import { estateShape, estateYaml } from '../../bench/samples.ts';

let browser: Browser;
let targets: Awaited<ReturnType<typeof startCompanyTargets>>;

before(async () => {
  browser = await launchBrowser();
  targets = await startCompanyTargets();
});

after(async () => {
  await browser?.close();
  await targets?.close();
});

/** The table's default order: worst status first, file order among equals (as web/table.js). */
const SEVERITY: Record<string, number> = { error: 0, blocked: 1, pending: 2, degraded: 3, maintenance: 4, unknown: 5, ok: 6 };

test('opened in the first check interval of 500 entities: one /entities load, events applied in batches, table order and counts follow', async () => {
  const failing = new Set(['r0c0s0', 'r1c1s0', 'r3c2s0']);
  let running: Running | undefined;
  try {
    // Opened at once: every entity goes from unknown to its status while the page loads, so
    // events name entities before the list has arrived.
    running = await startPulsemap(estateYaml(estateShape(500), targets.ok, { interval: 2, failingUrl: targets.refused, failing }));
    const url = running.service.url;
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    let lists = 0;
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/entities') lists += 1; });
    await page.goto(`${url}/#/overview`);
    await page.locator('#canvas svg').waitFor();

    // The statuses settle (the failing ones in error, what depends on them blocked, the rest ok);
    // the page reaches the server's list through its events alone.
    type Doc = { name: string; status: string };
    let docs: Doc[] = [];
    const settled = (list: Doc[]) => list.every((d) => d.status !== 'unknown' && d.status !== 'pending')
      && [...failing].every((n) => list.find((d) => d.name === n)?.status === 'error');
    for (const until = Date.now() + 120_000; ; ) {
      docs = await (await fetch(`${url}/entities`)).json() as Doc[];
      if (settled(docs)) break;
      if (Date.now() > until) throw new Error('the estate did not settle');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const rank = new Map(docs.map((d, i) => [d.name, i]));
    const expected = [...docs].sort((a, b) => SEVERITY[a.status]! - SEVERITY[b.status]! || rank.get(a.name)! - rank.get(b.name)!)
      .slice(0, 200).map((d) => d.name);
    const count = (status: string) => String(docs.filter((d) => d.status === status).length);
    await page.waitForFunction(([want, ok, error, blocked]) => {
      const rows = Array.from(document.querySelectorAll('#rows tr')).map((tr) => tr.getAttribute('data-entity')).join(' ');
      const chip = (s: string) => document.querySelector(`#summary .chip.pm-${s} .count`)?.textContent;
      return rows === want && chip('ok') === ok && chip('error') === error && chip('blocked') === blocked && chip('unknown') === '0';
    }, [expected.join(' '), count('ok'), count('error'), count('blocked')] as const, { timeout: 60_000 });
    assert.equal(count('error'), '3');

    // The page's own list was fetched once: the events that came first did not ask for it again.
    assert.equal(lists, 1, 'one /entities request from the page');
    assert.equal(await page.locator('#rows tr[data-entity="r0c0s0"]').getAttribute('class'), 'status-error');
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await running?.close();
  }
});
