// pulsemap's page: wires the map, the table, the details panel, the summary, the search, the
// hash routes and the live events.
import { el, STATUSES, getHealth, getJson } from './util.js';
import { createMapView } from './map-view.js';
import { createTable } from './table.js';
import { createDetails } from './details.js';
import { createSearch } from './search.js';
import { crumbs, drawCrumbs, hashOf, parseHash, queryOf, routeOfView } from './router.js';
import { showAnnouncements } from './announcements.js';

const $ = (id) => document.getElementById(id);
const store = { entities: new Map(), trails: new Map() };
/** How often the map's figures are refreshed when only figures (latency, sizes) changed. */
const FIGURES_REFRESH_MS = 5000;
let statusFilter = null;
/** The view on the map (a route of router.js), and what "#/" resolved to on first paint. */
let viewRoute = { kind: 'default' };
let firstChoice = null;
let opener = null;

// The header wraps when the status chips and tools do not fit on one line: the map and the
// details panel below it follow its real height instead of a fixed one.
const bar = document.querySelector('.bar');
new ResizeObserver(() => document.documentElement.style.setProperty('--bar-offset', `${bar.offsetHeight}px`)).observe(bar);

const go = (route) => { location.hash = hashOf(route); };
const openEntity = (name, from) => { opener = from ?? null; go({ kind: 'entity', name }); };

const map = createMapView({
  viewport: $('viewport'), canvas: $('canvas'), message: $('map-message'),
  onSelect: openEntity, onGroup: (path) => go({ kind: 'group', path }), onRange: (range) => go({ kind: 'range', range }),
});
const table = createTable({ body: $('rows'), head: document.querySelector('#entities thead'), more: $('table-more'), store, onSelect: openEntity });
const details = createDetails({ panel: $('details'), store, onSelect: (name) => openEntity(name), onClose: closed });
createSearch({
  input: $('search'), list: $('search-results'), docs: () => store.entities.values(),
  onPick: (hit) => go(hit.kind === 'group' ? { kind: 'group', path: hit.name } : { kind: 'entity', name: hit.name }),
});

/** The details panel was closed by the user: back to the view's own address, without a new entry. */
function closed() {
  mark(null);
  if (parseHash(location.hash).kind === 'entity') history.replaceState(null, '', hashOf(viewRoute));
  showCrumbs(null);
}

/** Selects an entity on the map and in the table, and marks the cells of everything it blocks. */
function mark(name) {
  map.select(name);
  table.select(name);
  if (name === null) { map.highlight(null); return; }
  const names = new Set();
  const groups = new Set();
  for (const doc of store.entities.values()) {
    if (doc.blocked_by !== name) continue;
    names.add(doc.name);
    if (!doc.group) { groups.add(''); continue; }
    const parts = doc.group.split('/');
    parts.forEach((_, i) => groups.add(parts.slice(0, i + 1).join('/')));
  }
  map.highlight(names, groups);
}

function showCrumbs(entity) {
  drawCrumbs($('crumbs'), crumbs(viewRoute, entity, (name) => store.entities.get(name)?.group ?? null));
  for (const a of document.querySelectorAll('.views a')) {
    if (a.getAttribute('href') === hashOf(viewRoute)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Shows a view unless it is the one shown. */
async function showView(route) {
  const shown = map.current();
  if (route.kind !== 'default' && shown.name !== null && queryOf(route) === shown.query) { viewRoute = route; return; }
  map.show(await map.fetchView(queryOf(route)));
  viewRoute = route.kind === 'default' ? routeOfView(map.current().name) : route;
}

/**
 * "#/" on first paint: the whole map when it is readable at "Fit"; else, when something is in
 * error, the problems view (the root causes on the first screen); else the overview.
 */
function chooseFirst() {
  firstChoice ??= (async () => {
    const [fetched] = await Promise.all([map.fetchView(''), firstList.promise]);
    const name = fetched.svg.getAttribute('data-view');
    const failing = [...store.entities.values()].some((d) => d.status === 'error');
    const choice = name === 'all' && map.readable(fetched) ? { kind: 'all' } : { kind: failing ? 'problems' : 'overview' };
    if (name === choice.kind) {
      map.show({ ...fetched, q: queryOf(choice) });
      viewRoute = choice;
    }
    return choice;
  })();
  firstChoice.catch(() => { firstChoice = null; }); // try again on the next load
  return firstChoice;
}

/** Follows the hash: a view, or an entity opened in the view that shows it. */
async function follow() {
  const route = parseHash(location.hash);
  try {
    if (route.kind === 'entity') {
      await firstList.promise;
      if (map.current().name === null) await showView(await chooseFirst());
      if (!map.has(route.name)) await showView({ kind: 'focus', name: route.name });
      mark(route.name);
      if (details.current() !== route.name) void details.open(route.name, opener);
      opener = null;
      // On a wide screen the panel covers the map's right side: centre the cell in what is left.
      const panel = $('details').getBoundingClientRect();
      map.centre(route.name, panel.width < window.innerWidth ? panel.width : 0);
      showCrumbs(route.name);
      return;
    }
    if (details.current() !== null) details.close();
    await showView(route.kind === 'default' ? await chooseFirst() : route);
    mark(null);
    showCrumbs(null);
  } catch (err) {
    $('map-message').textContent = `Cannot show this view (${err.message}).`;
    $('map-message').hidden = false;
  }
}
window.addEventListener('hashchange', () => void follow());

// Summary and legend: one chip per status; pressing one filters the table and the map to it (a
// problem status switches the map to the problems view).
const PROBLEMS = new Set(['error', 'blocked', 'pending', 'degraded']);
// `flapping` is a mark, not a status: its chip counts and filters the entities flapping now.
const chips = new Map([...STATUSES, 'flapping'].map((s) => {
  const count = el('span', { class: 'count', text: '0' });
  const button = el('button', { type: 'button', class: `chip pm-${s}`, 'aria-pressed': 'false', on: { click: () => {
    statusFilter = statusFilter === s ? null : s;
    for (const [k, c] of chips) c.button.setAttribute('aria-pressed', String(k === statusFilter));
    applyFilter();
    map.dim(statusFilter);
    if (statusFilter && PROBLEMS.has(statusFilter) && viewRoute.kind !== 'problems') go({ kind: 'problems' });
  } } }, [el('span', { class: 'swatch', 'aria-hidden': 'true' }), count, el('span', { class: 'label', text: s })]);
  $('summary').append(el('li', {}, [button]));
  return [s, { button, count }];
}));

/** Entities per status: counted once per load, then moved one by one as events arrive. */
let counts = {};
function recount() {
  counts = Object.fromEntries([...STATUSES, 'flapping'].map((s) => [s, 0]));
  for (const doc of store.entities.values()) {
    counts[doc.status] = (counts[doc.status] ?? 0) + 1;
    if (doc.flapping) counts.flapping += 1;
  }
}
function moveCount(from, to) {
  counts[from] -= 1;
  counts[to] = (counts[to] ?? 0) + 1;
}

function summarize() {
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

/** Several instances: who runs, who alerts, and whether they disagree about the file. */
function showCluster(cluster) {
  const badge = $('cluster');
  badge.hidden = !cluster;
  const warnings = [];
  if (cluster) {
    const alive = cluster.instances.filter((i) => i.alive);
    badge.textContent = `${alive.length} instance${alive.length === 1 ? '' : 's'} · alerts: ${cluster.leader ?? 'none'}`;
    badge.title = alive.map((i) => `${i.id}${i.id === cluster.self ? ' (this page)' : ''}: ${i.entities} entities, configuration ${i.config_hash}`).join('\n');
    if (cluster.config_mismatch) {
      const hashes = alive.map((i) => `${i.id}: ${i.config_hash}`).join(', ');
      warnings.push(`The instances run different entities.yaml files (${hashes}). Run the same file everywhere.`);
    }
    if (cluster.fenced) warnings.push(`This instance (${cluster.self}) stands down: ${cluster.fenced.reason}`);
  }
  badge.classList.toggle('warn', warnings.length > 0);
  $('cluster-banner').hidden = warnings.length === 0;
  $('cluster-banner').replaceChildren(...warnings.map((w) => el('p', { text: w })));
}

function showStore(status) {
  const failing = status?.ok === false;
  $('store-banner').hidden = !failing;
  if (!failing) return;
  const since = status.since ? ` since ${new Date(status.since).toLocaleString()}` : '';
  $('store-banner-text').textContent = `${status.error ?? 'unknown error'}${since}; ${status.queued} writes waiting in memory.`;
}

// The store's and the cluster's state have no event of their own: asked with the other figures and every 15 s.
const STORE_POLL_MS = 15_000;
setInterval(() => { getHealth().then((h) => { showStore(h.store); showConfig(h.config); showCluster(h.cluster); }, () => {}); }, STORE_POLL_MS);

/** Whether `doc` reports an older check than `than` (then it is stale and not applied). */
const older = (doc, than) => (Date.parse(doc.lastcheck ?? '') || 0) < (Date.parse(than.lastcheck ?? '') || 0);

/** The store holds a whole /entities list; before that, event documents wait for it. */
let loaded = false;
/** Resolved by the first list: the view is fetched meanwhile, and waits for it only where it needs it. */
const firstList = {};
firstList.promise = new Promise((resolve) => { firstList.resolve = resolve; });
let firstShow = null;
/** Shows the first view (once, unless it failed), fetched alongside the first list. */
function showFirst() {
  firstShow ??= follow().finally(() => { if (map.current().name === null) firstShow = null; });
  return firstShow;
}
/** Documents sent by /events while /entities is on its way (they may be newer than the list). */
let arrivedDuringLoad = null;
let loading = null;
let loadAgain = false;

/**
 * Loads every entity's document and redraws. One load at a time: asked again meanwhile, it loads
 * once more afterwards (a burst of unknown names or reconnects costs two loads, not one each).
 */
function reload() {
  if (loading) { loadAgain = true; return loading; }
  loading = loadAll().finally(() => {
    loading = null;
    if (loadAgain) { loadAgain = false; void reload().catch(() => {}); }
  });
  return loading;
}

async function loadAll() {
  arrivedDuringLoad = new Map();
  let docs;
  let health;
  let arrived;
  try {
    [docs, health] = await Promise.all([getJson('entities'), getHealth()]);
  } finally {
    arrived = arrivedDuringLoad;
    arrivedDuringLoad = null;
  }
  store.entities = new Map(docs.map((d) => [d.name, d]));
  for (const doc of arrived.values()) {
    const listed = store.entities.get(doc.name);
    if (listed && !older(doc, listed)) store.entities.set(doc.name, doc);
  }
  loaded = true;
  firstList.resolve();
  for (const name of store.trails.keys()) if (!store.entities.has(name)) store.trails.delete(name);
  recount();
  table.setAll([...store.entities.values()]);
  applyFilter();
  showConfig(health.config);
  showStore(health.store);
  showCluster(health.cluster);
  void showAnnouncements(document.querySelector('main'));
  summarize();
  details.refresh(new Set(store.entities.keys()));
  if (map.current().name === null) await showFirst();
  else await map.refresh();
  const title = document.querySelector('#canvas svg title')?.textContent;
  if (title) { $('title').textContent = title; summarize(); }
}

function setLive(state) {
  const live = $('live');
  live.dataset.state = state;
  live.textContent = { live: 'live', connecting: 'connecting…', offline: 'reconnecting…' }[state];
}

/** Event documents are applied together this long after the first of them arrived. */
const APPLY_MS = 50;

function connect() {
  // One `entities` event per batch of the server (`?batch`), not one event per document.
  const events = new EventSource('events?batch');
  let everOpen = false;
  let missed = false;
  events.addEventListener('open', () => {
    setLive('live');
    // Anything may have changed while the stream was down (a restart, a new configuration).
    if (everOpen && missed) void reload().catch(() => {});
    everOpen = true;
    missed = false;
  });
  events.addEventListener('error', () => { setLive('offline'); missed = true; });
  // At 20,000 entities the server sends hundreds of documents a second, in batches: an event
  // only parses and keeps its documents (the last per name), and they are applied at once.
  let incoming = new Map();
  let timer = null;
  let lazyMap = null;
  function apply() {
    timer = null;
    const docs = incoming;
    incoming = new Map();
    if (!loaded) return; // the list on its way has them (arrivedDuringLoad)
    const names = new Set();
    let statusChanged = false;
    let unknown = false;
    for (const doc of docs.values()) {
      const before = store.entities.get(doc.name);
      if (!before) { unknown = true; continue; }
      if (older(doc, before)) continue;
      if (before.status !== doc.status) {
        statusChanged = true;
        moveCount(before.status, doc.status);
      }
      if (Boolean(before.flapping) !== Boolean(doc.flapping)) {
        counts.flapping += doc.flapping ? 1 : -1;
        statusChanged = true;
      }
      store.entities.set(doc.name, doc);
      table.update(doc);
      names.add(doc.name);
    }
    if (unknown) void reload().catch(() => {}); // a new entity: its place is in the whole list
    if (names.size === 0) return;
    summarize();
    details.refresh(names);
    // A status change shows at once (cells updated in place); figures alone at a calmer pace.
    if (statusChanged) {
      table.resort(names);
      if (details.current() !== null) mark(details.current());
      clearTimeout(lazyMap);
      lazyMap = null;
      void map.refresh();
    } else {
      lazyMap ??= setTimeout(() => { lazyMap = null; void map.refresh(); }, FIGURES_REFRESH_MS);
    }
  }
  events.addEventListener('entities', (e) => {
    for (const doc of JSON.parse(e.data)) {
      arrivedDuringLoad?.set(doc.name, doc);
      incoming.set(doc.name, doc);
    }
    timer ??= setTimeout(apply, APPLY_MS);
  });
  events.addEventListener('config', (e) => {
    showConfig(JSON.parse(e.data));
    void reload().catch(() => {});
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
setInterval(() => void showAnnouncements(document.querySelector('main')), 60_000);

setLive('connecting');
connect();
void showFirst();
reload().catch((err) => {
  $('map-message').textContent = `Cannot reach pulsemap (${err.message}); retrying.`;
  $('map-message').hidden = false;
});
