// The page's main thread in Chromium while pulsemap runs: long tasks (PerformanceObserver) as a
// share of one minute after the first paint, at 1,000 entities checked every 2 s (the default
// first view) and at 20,000 entities on the overview, both once settled and in the first check
// interval (every entity changing status). Also how often the SVG was fetched.
import { launchBrowser, startCompanyTargets, startPulsemap, waitForStatuses } from './browser.ts';
import { estateShape, estateYaml } from './samples.ts';
import { loadavg } from 'node:os';
import { fmt, table } from './common.ts';

const WINDOW_MS = 60_000;

/**
 * `wave`: the page is opened as soon as pulsemap serves, so the minute measured is the first
 * check interval, in which every entity goes from `unknown` to its status (a status change per
 * entity); otherwise it is opened once the failing cluster shows as `error`.
 */
async function measure(count: number, interval: number, hash: string, wave = false): Promise<(string | number)[]> {
  // The browser first: pulsemap runs in this process, and in its first interval at 20,000 entities
  // its checks leave little room for launching one.
  const browser = await launchBrowser();
  const targets = await startCompanyTargets();
  const failing = new Set(['r0c0s5', 'r1c1s0']);
  const running = await startPulsemap(estateYaml(estateShape(count), targets.ok, { interval, failingUrl: targets.refused, failing }));
  try {
    const url = running.service.url;
    if (!wave) await waitForStatuses(url, (s) => s.get('r1c1s0') === 'error', 300_000);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) w.longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
    });
    let svgs = 0;
    let jsons = 0;
    page.on('request', (r) => { if (r.url().includes('/map.svg')) svgs += 1; if (r.url().includes('/map.json')) jsons += 1; });
    const t = Date.now();
    await page.goto(`${url}/${hash}`, { timeout: 180_000 });
    await page.locator('#canvas svg').waitFor({ timeout: 180_000 });
    await page.locator('#rows tr').first().waitFor({ timeout: 180_000 });
    const firstPaint = Date.now() - t;
    const startup = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.reduce((a, b) => a + b, 0));
    await page.evaluate(() => { (window as unknown as { longTasks: number[] }).longTasks = []; });
    svgs = 0;
    jsons = 0;
    await page.waitForTimeout(WINDOW_MS);
    const tasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const busy = tasks.reduce((a, b) => a + b, 0);
    const view = await page.locator('#canvas svg').getAttribute('data-view');
    return [count.toLocaleString('en'), `every ${interval} s${wave ? ', first interval' : ''}`, view ?? '', `${fmt(firstPaint / 1000, 1)} s`, `${fmt(startup, 0)} ms`,
      `${fmt((busy / WINDOW_MS) * 100, 2)} %`, tasks.length, `${fmt(Math.max(0, ...tasks), 0)} ms`, svgs, jsons];
  } finally {
    await browser.close();
    await running.close();
    await targets.close();
  }
}

const HEAD = ['entities', 'checked', 'view', 'first paint', 'long tasks while loading', 'long tasks / minute', 'count', 'longest', '/map.svg fetches', '/map.json fetches'];
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(', ');
const loadAtStart = load();
const rows: (string | number)[][] = [];
const SCENARIOS = [[1_000, 2, '', false], [20_000, 60, '#/overview', false], [20_000, 60, '#/overview', true]] as const;
// --first-interval: only the 20,000-entity first interval (the heaviest case for the page).
for (const [count, interval, hash, wave] of process.argv.includes('--first-interval') ? SCENARIOS.filter((s) => s[3]) : SCENARIOS) {
  rows.push(await measure(count, interval, hash, wave));
  console.error(table(HEAD, rows.slice(-1)));
}
console.log(`_load average (1, 5, 15 min): ${loadAtStart} at the start, ${load()} at the end_\n`);
console.log('### The page in Chromium: long tasks over one minute after the first paint (budget < 5 %)\n');
console.log(table(HEAD, rows));
