// How readable the company sample (30 entities, 9 groups, one failing root) is in Chromium at
// 1440×900: the rendered height of cell names at "Fit", and the mean length of the map's edges.
import type { Page } from 'playwright-core';
import { launchBrowser, startCompanyTargets, startPulsemap, waitForStatuses } from './browser.ts';
import { COMPANY_BLOCKED, COMPANY_ROOT, companyCascade, companyYaml } from './samples.ts';
import { fmt, median, table } from './common.ts';

interface Reading { view: string; cells: number; minName: number; medianName: number; edges: number; meanEdge: number; scale: number }

/** Cell-name heights in screen pixels and edge lengths in map units, as the page shows them now. */
async function read(page: Page, view: string): Promise<Reading> {
  const r = await page.evaluate(() => {
    const svg = document.querySelector('#canvas svg') as SVGSVGElement;
    const names = Array.from(svg.querySelectorAll('[data-entity] text[data-compartment="0"], [data-group] > g text[data-compartment="0"]'))
      .filter((t) => !t.closest('[data-group] [data-entity]'))
      .map((t) => t.getBoundingClientRect().height);
    // Edges: nomnoml's connector paths (not inside a cell) and the ones pulsemap draws across frames.
    const edges = Array.from(svg.querySelectorAll('path[fill="none"]'))
      .filter((p) => !p.closest('[data-name]') || p.closest('.pm-cross'))
      .map((p) => (p as SVGPathElement).getTotalLength());
    const canvas = document.getElementById('canvas')!;
    const scale = Number(/scale\(([\d.]+)\)/.exec(canvas.style.transform)?.[1] ?? 1);
    return { names, edges, scale };
  });
  return {
    view,
    cells: r.names.length,
    minName: Math.min(...r.names),
    medianName: median(r.names),
    edges: r.edges.length,
    meanEdge: r.edges.length ? r.edges.reduce((a, b) => a + b, 0) / r.edges.length : 0,
    scale: r.scale,
  };
}

export async function measureReadability(): Promise<Reading[]> {
  const targets = await startCompanyTargets();
  const running = await startPulsemap(companyYaml(targets));
  const browser = await launchBrowser();
  try {
    const url = running.service.url;
    await waitForStatuses(url, companyCascade);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.locator('#canvas svg').waitFor();
    await page.locator('#zoom-fit').click();
    let readings = [await read(page, 'first paint, Fit')];
    // On a loaded machine a healthy service can time out for a moment and join the problems view:
    // read again until the statuses held still around the reading.
    for (let i = 0; i < 5; i++) {
      const docs = await (await fetch(`${url}/entities`)).json() as { name: string; status: string }[];
      if (companyCascade(new Map(docs.map((d) => [d.name, d.status])))) break;
      await waitForStatuses(url, companyCascade);
      await page.reload();
      await page.locator('#canvas svg').waitFor();
      await page.locator('#zoom-fit').click();
      readings = [await read(page, 'first paint, Fit')];
    }
    readings[0] = { ...readings[0]!, view: `first paint (${await page.locator('#canvas svg').getAttribute('data-view')}), Fit` };
    // The whole map (what the page showed before it had views).
    await page.goto(`${url}/#/all`);
    await page.locator('#canvas svg[data-view="all"]').waitFor();
    await page.locator('#zoom-fit').click();
    readings.push(await read(page, 'whole map, Fit'));
    return readings;
  } finally {
    await browser.close();
    await running.close();
    await targets.close();
  }
}

if (import.meta.main) {
  const readings = await measureReadability();
  console.log(table(['view (30-entity sample, 1440×900)', 'cells', 'scale', 'name height min', 'median', 'edges', 'mean edge length'],
    readings.map((r) => [r.view, r.cells, fmt(r.scale, 2), `${fmt(r.minName)} px`, `${fmt(r.medianName)} px`, r.edges, `${fmt(r.meanEdge, 0)} px`])));
}
