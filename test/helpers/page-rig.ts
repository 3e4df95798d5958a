// What the page tests in Chromium share: one headless browser and the company sample's targets
// (bench/browser.ts) for all the tests of a file, started before the first and closed after the last.
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, startCompanyTargets } from '../../bench/browser.ts';

export interface PageRig {
  readonly browser: Browser;
  readonly targets: Awaited<ReturnType<typeof startCompanyTargets>>;
}

/** Registers the file's before() and after() hooks; the fields are there once the first test runs. */
export function usePageRig(): PageRig {
  const rig = {} as { browser: Browser; targets: PageRig['targets'] };
  before(async () => {
    rig.browser = await launchBrowser();
    rig.targets = await startCompanyTargets();
  });
  after(async () => {
    await rig.browser?.close();
    await rig.targets?.close();
  });
  return rig;
}
