// Response-time chart (latency band, p95, failures, status shading) and a 90-day uptime bar for
// the details panel, drawn by uPlot (served from node_modules at vendor/). One chart element
// lives as long as the page; the panel moves it between renders instead of rebuilding it.
import uPlot from './vendor/uplot.esm.js';
import { el, getJson, formatPercent } from './util.js';

export const WINDOWS = ['1h', '24h', '7d', '30d', '90d'];
const SHADED = ['error', 'blocked', 'pending', 'degraded', 'maintenance'];

function ensureStylesheet() {
  if (document.querySelector('link[data-uplot]')) return;
  document.head.append(el('link', { rel: 'stylesheet', href: 'vendor/uplot.css', 'data-uplot': '' }));
}

const cssVar = (node, name) => getComputedStyle(node).getPropertyValue(name).trim();

/** Colours of the current theme and statuses, read from style.css. */
function palette(node) {
  const probe = (status) => {
    const p = el('span', { class: `pm-${status}` });
    node.append(p);
    const fill = cssVar(p, '--s-fill');
    p.remove();
    return fill;
  };
  return {
    fg: cssVar(node, '--fg') || '#17202b', grid: cssVar(node, '--grid') || '#dfe4ea', muted: cssVar(node, '--muted') || '#556070',
    status: Object.fromEntries(SHADED.map((s) => [s, probe(s)])),
  };
}

export function formatSeconds(s) {
  if (!s) return '0 s';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Worst status with time in the bucket, for shading; null when it was all ok (or unknown). */
function shadeOf(seconds) {
  return SHADED.find((s) => seconds[s] > 0) ?? null;
}

function chartData(series) {
  const b = series.buckets;
  const x = b.map((k) => Date.parse(k.at) / 1000);
  return [x, b.map((k) => k.latency_ms.max), b.map((k) => k.latency_ms.min), b.map((k) => k.latency_ms.avg),
    b.map((k) => k.latency_ms.p95), b.map((k) => (k.failures > 0 ? k.failures : null))];
}

function chartOptions(width, colours, series) {
  const shading = (u) => {
    const { ctx, bbox } = u;
    const step = series.step_s;
    ctx.save();
    ctx.globalAlpha = 0.28;
    for (const k of series.buckets) {
      const shade = shadeOf(k.seconds);
      if (!shade) continue;
      const t = Date.parse(k.at) / 1000;
      const x0 = u.valToPos(t, 'x', true);
      const x1 = u.valToPos(t + step, 'x', true);
      ctx.fillStyle = colours.status[shade];
      ctx.fillRect(x0, bbox.top, Math.max(1, x1 - x0), bbox.height);
    }
    ctx.restore();
  };
  const axis = { stroke: colours.muted, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid } };
  return {
    width, height: 200, cursor: { drag: { x: false, y: false } }, legend: { show: true, live: true },
    scales: { x: { time: true }, ms: { auto: true, range: (u, min, max) => [0, Math.max(1, max) * 1.1] }, n: { auto: true, range: (u, min, max) => [0, Math.max(1, max) * 4] } },
    axes: [{ ...axis }, { ...axis, scale: 'ms', values: (u, v) => v.map((ms) => `${ms} ms`), size: (u, values) => 20 + 7 * Math.max(4, ...(values ?? []).map((t) => String(t).length)) }],
    series: [
      {},
      { label: 'max', scale: 'ms', stroke: 'rgba(70,130,220,0.35)', width: 1, value: (u, v) => (v == null ? '—' : `${v} ms`) },
      { label: 'min', scale: 'ms', stroke: 'rgba(70,130,220,0.35)', width: 1, value: (u, v) => (v == null ? '—' : `${v} ms`) },
      { label: 'avg', scale: 'ms', stroke: '#3a78d6', width: 1.5, value: (u, v) => (v == null ? '—' : `${v} ms`) },
      { label: 'p95', scale: 'ms', stroke: '#c2410c', width: 1.5, dash: [6, 3], value: (u, v) => (v == null ? '—' : `${v} ms`) },
      { label: 'failures', scale: 'n', stroke: '#c81e1e', fill: '#c81e1e', paths: () => null, points: { show: true, size: 7, fill: '#c81e1e' }, value: (u, v) => (v == null ? '0' : String(v)) },
    ],
    bands: [{ series: [1, 2], fill: 'rgba(70,130,220,0.18)' }],
    hooks: { drawClear: [shading] },
  };
}

/** Availability classes of the day bars. */
function dayClass(k) {
  if (k.checks === 0) return 'none';
  const up = (k.checks - k.failures) / k.checks;
  if (up >= 0.999) return 'good';
  if (up >= 0.99) return 'fair';
  if (up >= 0.95) return 'poor';
  return 'bad';
}

export function dayTitle(k) {
  const day = k.at.slice(0, 10);
  if (k.checks === 0) return `${day}: no data`;
  const down = k.seconds.error + k.seconds.blocked;
  return `${day}: ${formatPercent((k.checks - k.failures) / k.checks)} uptime, down ${formatSeconds(down)}${k.seconds.blocked ? ` (${formatSeconds(k.seconds.blocked)} blocked by a dependency)` : ''}`;
}

/** One bar a day, coloured by the share of passed checks, its downtime in the tooltip. */
export function uptimeBar(series) {
  return el('ol', { class: 'uptime-bar', 'aria-label': `${series.window} uptime by day` },
    series.buckets.map((k) => el('li', { class: `day ${dayClass(k)}`, title: dayTitle(k), 'aria-label': dayTitle(k) })));
}

export function createCharts({ fetchJson = getJson } = {}) {
  ensureStylesheet();
  let name = null;
  let win = '24h';
  let plot = null;
  let loaded = 0;
  const buttons = new Map(WINDOWS.map((w) => [w, el('button', { type: 'button', class: 'button window', 'aria-pressed': String(w === win), text: w, on: { click: () => choose(w) } })]));
  const caption = el('p', { class: 'muted chart-caption', 'aria-live': 'polite' });
  const canvas = el('div', { class: 'chart', role: 'img', 'aria-label': 'Response time chart' });
  const bar = el('div', { class: 'uptime-wrap' });
  const element = el('section', { class: 'charts', 'aria-label': 'Response time and uptime' }, [
    el('div', { class: 'chart-head' }, [el('h3', { text: 'Response time' }), el('div', { class: 'windows', role: 'group', 'aria-label': 'Window' }, [...buttons.values()])]),
    canvas, caption, el('h3', { text: 'Uptime, last 90 days' }), bar,
  ]);

  function choose(w) {
    win = w;
    for (const [k, b] of buttons) b.setAttribute('aria-pressed', String(k === w));
    void load();
  }

  async function load() {
    const shown = name;
    const base = `entities/${encodeURIComponent(shown)}/series?window=`;
    const [series, days] = await Promise.all([fetchJson(`${base}${win}`), fetchJson(`${base}90d`)]);
    if (shown !== name) return;
    loaded = Date.now();
    draw(series);
    bar.replaceChildren(uptimeBar(days));
    caption.textContent = `${formatPercent(series.uptime)} of checks passed; data covers ${Math.round(series.coverage * 100)} % of the window`;
  }

  let shown = null;
  // Colours come from the theme: a switch of theme redraws with the new ones.
  new MutationObserver(() => { if (shown && plot) draw(shown); }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

  function draw(series) {
    shown = series;
    plot?.destroy();
    const width = Math.max(240, canvas.clientWidth || element.clientWidth || 420);
    plot = new uPlot(chartOptions(width, palette(element), series), chartData(series), canvas);
    element.dataset.points = String(series.buckets.length);
  }

  return {
    element,
    /** Shows an entity's charts; reloads the current one when its data is older than `maxAgeMs`. */
    show(next, maxAgeMs = 0) {
      if (next === name && Date.now() - loaded < maxAgeMs) return Promise.resolve();
      name = next;
      return load().catch(() => { caption.textContent = 'chart data could not be loaded'; });
    },
    hide() { name = null; shown = null; plot?.destroy(); plot = null; },
  };
}
