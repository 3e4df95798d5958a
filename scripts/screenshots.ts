// `npm run screenshots`: the README's pictures of the map, taken in headless Chromium from a real
// pulsemap checking real targets on 127.0.0.1: the company sample healthy (light and dark) and in
// a cascade, on a phone, and the overview of a 5,000-entity estate.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startCompanyTargets, startPulsemap, waitForStatuses } from '../bench/browser.ts';
import { COMPANY_BLOCKED, COMPANY_ROOT, companyCascade, companyYaml, estateShape, estateYaml } from '../bench/samples.ts';

const OUT = path.resolve(import.meta.dirname, '../docs/screenshots');

async function shoot(browser: Browser, url: string, file: string, options: { dark?: boolean; phone?: boolean; then?: (page: Page) => Promise<void> } = {}): Promise<void> {
  const page = await browser.newPage({
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1440, height: 900 },
    deviceScaleFactor: options.phone ? 2 : 1,
    colorScheme: options.dark ? 'dark' : 'light',
  });
  await page.goto(url);
  await page.locator('#canvas svg').waitFor();
  await page.locator('#rows tr').first().waitFor();
  await options.then?.(page);
  await page.waitForTimeout(400); // trails and fonts settle
  await page.screenshot({ path: path.join(OUT, file) });
  console.log(`docs/screenshots/${file}`);
  await page.close();
}

mkdirSync(OUT, { recursive: true });
const browser = await launchBrowser();
const targets = await startCompanyTargets();
try {
  // The company, healthy.
  let running = await startPulsemap(companyYaml(targets, { healthy: true }));
  await waitForStatuses(running.service.url, (s) => [...s.values()].every((v) => v === 'ok'));
  await shoot(browser, running.service.url, 'map-light.png');
  await shoot(browser, running.service.url, 'map-dark.png', { dark: true });
  await running.close();

  // The company in a cascade: the database refuses connections, nine services behind it fail.
  running = await startPulsemap(companyYaml(targets));
  await waitForStatuses(running.service.url, companyCascade);
  await shoot(browser, running.service.url, 'cascade.png');
  await shoot(browser, running.service.url, 'cascade-selected.png', { then: (page) => page.locator(`#canvas [data-entity="${COMPANY_ROOT}"]`).click() });
  await shoot(browser, running.service.url, 'phone.png', { phone: true });
  await shoot(browser, `${running.service.url}/#/overview`, 'cascade-overview-dark.png', { dark: true });
  await running.close();

  // 5,000 entities in 10 regions × 10 clusters; one cluster's database refuses connections.
  const shape = estateShape(5_000);
  running = await startPulsemap(estateYaml(shape, targets.ok, { interval: 60, failingUrl: targets.refused, failing: new Set(['r3c2s0', 'r7c5s0']) }));
  await waitForStatuses(running.service.url, (s) => ![...s.values()].some((v) => v === 'unknown' || v === 'pending'), 180_000);
  await shoot(browser, `${running.service.url}/#/overview`, 'overview-5000.png');
  await shoot(browser, `${running.service.url}/#/group/region-3`, 'group-5000.png');
  await running.close();
} finally {
  await browser.close();
  await targets.close();
}
