// The page opened while many entities report at once, in a real headless Chromium against a
// running pulsemap with real targets on 127.0.0.1: the list is loaded once, the events of the
// first check interval are applied in batches, and the table, its order and the counts follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPulsemap } from '../../bench/browser.ts';
import type { Running } from '../../bench/browser.ts';
import { usePageRig } from '../helpers/page-rig.ts';
import { estateShape, estateYaml } from '../../bench/samples.ts';

const rig = usePageRig();

/** The table's default order: worst status first, file order among equals (as web/table.js). */
const SEVERITY: Record<string, number> = { error: 0, blocked: 1, pending: 2, degraded: 3, maintenance: 4, unknown: 5, ok: 6 };

test('opened in the first check interval of 500 entities: one /entities load, events applied in batches, table order and counts follow', async () => {
  const failing = new Set(['r0c0s0', 'r1c1s0', 'r3c2s0']);
  let running: Running | undefined;
  try {
    // Opened at once: every entity goes from unknown to its status while the page loads, so
    // events name entities before the list has arrived.
    running = await startPulsemap(estateYaml(estateShape(500), rig.targets.ok, { interval: 2, failingUrl: rig.targets.refused, failing }));
    const url = running.service.url;
    const page = await rig.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    let lists = 0;
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/entities') lists += 1; });
    await page.goto(`${url}/#/overview`);
    await page.locator('#canvas svg').waitFor();

    // The statuses settle (the failing databases in error, everything else ok); the page reaches
    // the server's statuses and order through its events alone. Compared again until they agree,
    // as a loaded machine can make a healthy check time out now and then.
    type Doc = { name: string; status: string };
    const read = async () => {
      const docs = await (await fetch(`${url}/entities`)).json() as Doc[];
      const rank = new Map(docs.map((d, i) => [d.name, i]));
      const order = [...docs].sort((a, b) => SEVERITY[a.status]! - SEVERITY[b.status]! || rank.get(a.name)! - rank.get(b.name)!);
      const count = (status: string) => docs.filter((d) => d.status === status).length;
      return { settled: docs.every((d) => d.status === (failing.has(d.name) ? 'error' : 'ok')), rows: order.slice(0, 200).map((d) => d.name).join(' '),
        chips: ['ok', 'error', 'blocked', 'unknown'].map((s) => `${s} ${count(s)}`).join(', ') };
    };
    const shown = () => page.evaluate(() => ({
      rows: Array.from(document.querySelectorAll('#rows tr')).map((tr) => tr.getAttribute('data-entity')).join(' '),
      chips: ['ok', 'error', 'blocked', 'unknown'].map((s) => `${s} ${document.querySelector(`#summary .chip.pm-${s} .count`)?.textContent}`).join(', '),
    }));
    for (const until = Date.now() + 120_000; ; ) {
      const [server, seen] = [await read(), await shown()];
      if (server.settled && seen.rows === server.rows && seen.chips === server.chips) break;
      if (Date.now() > until) assert.fail(`the page did not follow the server: ${JSON.stringify({ server, seen })}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // The page's own list was fetched once: the events that came first did not ask for it again.
    assert.equal(lists, 1, 'one /entities request from the page');
    assert.equal(await page.locator('#rows tr[data-entity="r0c0s0"]').getAttribute('class'), 'status-error');
    // A row's trail of the last 30 checks follows the events: a new tick joins at the end and the
    // trail keeps 30 places.
    await page.locator('#rows tr[data-entity="r0c0s0"]').scrollIntoViewIfNeeded();
    const trail = page.locator('#rows tr[data-entity="r0c0s0"] .trail');
    const lastTick = () => page.evaluate(() => document.querySelector('#rows tr[data-entity="r0c0s0"] .trail .tick:last-child:not(.empty)')?.getAttribute('title') ?? null);
    await page.waitForFunction(() => document.querySelector('#rows tr[data-entity="r0c0s0"] .trail .tick:last-child:not(.empty)'), null, { timeout: 30_000 });
    const first = await lastTick();
    await page.waitForFunction((t) => document.querySelector('#rows tr[data-entity="r0c0s0"] .trail .tick:last-child')?.getAttribute('title') !== t, first, { timeout: 30_000 });
    assert.equal(await trail.locator('.tick').count(), 30);
    assert.equal(await trail.locator('.tick').last().getAttribute('class'), 'tick pm-error failed');
    assert.match(await trail.getAttribute('aria-label') ?? '', /^0 of the last \d+ checks passed$/);
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    await running?.close();
  }
});
