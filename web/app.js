// pulsemap's page: wires the map, the table, the details panel, the summary and the live events.
import { el, STATUSES, getJson } from './util.js';
import { createMapView } from './map-view.js';
import { createTable } from './table.js';
import { createDetails } from './details.js';

const $ = (id) => document.getElementById(id);
const store = { entities: new Map(), trails: new Map() };
/** How often the map is refetched when only figures (latency, ratio) changed. */
const FIGURES_REFRESH_MS = 5000;
let statusFilter = null;

const map = createMapView({ viewport: $('viewport'), canvas: $('canvas'), message: $('map-message'), onSelect: select });
const table = createTable({ body: $('rows'), store, onSelect: select });
const details = createDetails({ panel: $('details'), store, onSelect: select, onClose: () => select(null) });

function select(name, opener) {
  map.select(name);
  table.select(name);
  if (name !== null && details.current() !== name) {
    void details.open(name, opener);
    // On a wide screen the panel covers the map's right side: keep the chosen cell in sight.
    const panel = $('details').getBoundingClientRect();
    map.reveal(name, panel.width < window.innerWidth ? panel.width : 0);
  }
}

// Summary: one button per status; pressing one filters the table to it.
const chips = new Map(STATUSES.map((s) => {
  const count = el('span', { class: 'count', text: '0' });
  const button = el('button', { type: 'button', class: `chip pm-${s}`, 'aria-pressed': 'false', on: { click: () => {
    statusFilter = statusFilter === s ? null : s;
    for (const [k, c] of chips) c.button.setAttribute('aria-pressed', String(k === statusFilter));
    applyFilter();
  } } }, [el('span', { class: 'swatch', 'aria-hidden': 'true' }), count, el('span', { class: 'label', text: s })]);
  $('summary').append(el('li', {}, [button]));
  return [s, { button, count }];
}));

function summarize() {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const doc of store.entities.values()) counts[doc.status] = (counts[doc.status] ?? 0) + 1;
  for (const [s, chip] of chips) {
    chip.count.textContent = String(counts[s]);
    chip.button.classList.toggle('zero', counts[s] === 0);
  }
  const down = counts.error + counts.blocked;
  document.title = `${down ? `${counts.error} error${counts.error === 1 ? '' : 's'}${counts.blocked ? `, ${counts.blocked} blocked` : ''} — ` : ''}${$('title').textContent}`;
}

const applyFilter = () => table.filter($('filter').value, statusFilter);
$('filter').addEventListener('input', applyFilter);

function showConfig(config) {
  const lines = config?.error ?? null;
  $('banner').hidden = !lines;
  $('banner-lines').replaceChildren(...(lines ?? []).map((l) => el('li', { text: l })));
}

async function loadAll() {
  const [docs, health] = await Promise.all([getJson('entities'), getJson('health')]);
  store.entities = new Map(docs.map((d) => [d.name, d]));
  for (const name of store.trails.keys()) if (!store.entities.has(name)) store.trails.delete(name);
  table.setAll(docs);
  applyFilter();
  showConfig(health.config);
  summarize();
  details.refresh(new Set(store.entities.keys()));
  await map.refresh();
  const title = document.querySelector('#canvas svg title')?.textContent;
  if (title) { $('title').textContent = title; summarize(); }
}

function setLive(state) {
  const live = $('live');
  live.dataset.state = state;
  live.textContent = { live: 'live', connecting: 'connecting…', offline: 'reconnecting…' }[state];
}

function connect() {
  const events = new EventSource('events');
  let everOpen = false;
  let missed = false;
  events.addEventListener('open', () => {
    setLive('live');
    // Anything may have changed while the stream was down (a restart, a new configuration).
    if (everOpen && missed) void loadAll().catch(() => {});
    everOpen = true;
    missed = false;
  });
  events.addEventListener('error', () => { setLive('offline'); missed = true; });
  let pending = new Set();
  let timer = null;
  let statusChanged = false;
  let lazyMap = null;
  events.addEventListener('entity', (e) => {
    const doc = JSON.parse(e.data);
    const known = store.entities.has(doc.name);
    if (store.entities.get(doc.name)?.status !== doc.status) statusChanged = true;
    store.entities.set(doc.name, doc);
    if (known) table.update(doc);
    else void loadAll().catch(() => {});
    pending.add(doc.name);
    // A batch arrives as several events at once: redraw once for all of them.
    timer ??= setTimeout(() => {
      timer = null;
      const names = pending;
      pending = new Set();
      summarize();
      applyFilter();
      details.refresh(names);
      // A status change shows at once; new figures alone refresh the map at a calmer pace.
      if (statusChanged) {
        statusChanged = false;
        clearTimeout(lazyMap);
        lazyMap = null;
        void map.refresh();
      } else {
        lazyMap ??= setTimeout(() => { lazyMap = null; void map.refresh(); }, FIGURES_REFRESH_MS);
      }
    }, 30);
  });
  events.addEventListener('config', (e) => {
    showConfig(JSON.parse(e.data));
    void loadAll().catch(() => {});
  });
}

// Theme: stored choice, else the system's; theme.js applied it before the first paint.
const themeButton = $('theme');
function showTheme() {
  const dark = document.documentElement.dataset.theme === 'dark';
  themeButton.setAttribute('aria-pressed', String(dark));
  themeButton.querySelector('.label').textContent = dark ? 'Dark' : 'Light';
}
themeButton.addEventListener('click', () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('pulsemap-theme', next); } catch { /* private mode: not remembered */ }
  showTheme();
});
showTheme();

$('zoom-in').addEventListener('click', map.zoomIn);
$('zoom-out').addEventListener('click', map.zoomOut);
$('zoom-fit').addEventListener('click', map.fit);
setInterval(() => table.tick(), 5000);

setLive('connecting');
connect();
loadAll().catch((err) => {
  $('map-message').textContent = `Cannot reach pulsemap (${err.message}); retrying.`;
  $('map-message').hidden = false;
});
