// The entity table: problems first (by default), sortable by any column, with what is wrong in
// its own column. Shows the first rows of the sorted list and more on request, so that 20,000
// entities cost what a few hundred rows cost; rows update in place. Trails of the last 30 results
// are fetched when a row first scrolls into view, a few at a time.
import { el, badge, formatAgo, formatLatency, formatPercent, formatTime, formatUptime, getJson, limiter } from './util.js';

export const TRAIL = 30;
/** Rows drawn at first and added per "show more". */
const PAGE = 200;

/** Whether the check behind a document passed: a passing check resets consecutive failures. */
export const lastOk = (doc) => doc.consecutive_failures === 0;

/** Up to this many moved rows are placed one by one; more are merged in one pass. */
const FEW_MOVES = 16;

/** Merges two lists sorted by `compare` into one. */
export function mergeSorted(a, b, compare) {
  const out = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(b[j], a[i]) < 0 ? b[j++] : a[i++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Worst first: the default order puts what needs attention at the top. */
export const SEVERITY = { error: 0, blocked: 1, pending: 2, degraded: 3, maintenance: 4, unknown: 5, ok: 6 };

/** What the message column says: the root cause of a blocked entity, else the check's message while failing. */
export const problemText = (doc) => (doc.blocked_by ? `blocked by ${doc.blocked_by}` : doc.status === 'ok' ? '' : doc.message ?? '');

const KEYS = {
  status: (d) => SEVERITY[d.status] ?? 9,
  name: (d) => d.name.toLowerCase(),
  message: (d) => problemText(d).toLowerCase() || '\uffff',
  type: (d) => d.type,
  uptime: (d) => d.uptime?.['24h'] ?? 2,
  latency: (d) => -(d.latency_ms ?? -1),
  lastcheck: (d) => -(Date.parse(d.lastcheck ?? '') || 0),
};

export function createTable({ body, head, more, onSelect, store }) {
  const rows = new Map();
  /** Rows kept but out of the table whose documents changed: filled when drawn again. */
  const stale = new Set();
  const position = new Map();
  let selected = null;
  let sort = { key: 'status', dir: 1 };
  let match = () => true;
  let limit = PAGE;
  let shown = [];
  const queue = limiter(4);
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      void loadTrail(entry.target.dataset.entity);
    }
  }, { rootMargin: '200px' });

  async function loadTrail(name) {
    if (store.trails.has(name)) return;
    try {
      const history = await queue(() => getJson(`entities/${encodeURIComponent(name)}/history?limit=${TRAIL}`));
      if (!store.trails.has(name)) store.trails.set(name, history);
      drawTrail(name);
    } catch {
      const row = rows.get(name);
      if (row) observer.observe(row.tr); // try again when it is next in view
    }
  }

  const tick = (h) => el('span', {
    class: `tick pm-${h.status}${h.ok ? '' : ' failed'}`,
    title: `${formatTime(h.at)} · ${h.status} · ${formatLatency(h.latency_ms)}${h.message ? ` · ${h.message}` : ''}`,
  });

  function labelTrail(row, history) {
    const items = history.slice(0, TRAIL);
    const passed = items.filter((h) => h.ok).length;
    row.trail.setAttribute('aria-label', items.length ? `${passed} of the last ${items.length} checks passed` : 'no checks yet');
  }

  function drawTrail(name) {
    const row = rows.get(name);
    const history = store.trails.get(name);
    if (!row || !history) return;
    const bars = history.slice(0, TRAIL).reverse().map(tick);
    while (bars.length < TRAIL) bars.unshift(el('span', { class: 'tick empty' }));
    row.trail.replaceChildren(...bars);
    labelTrail(row, history);
  }

  function makeRow(doc) {
    const name = el('button', { type: 'button', class: 'link', text: doc.name, on: { click: (e) => { e.stopPropagation(); onSelect(doc.name, e.currentTarget); } } });
    const cells = {
      status: el('td'), name: el('td', { class: 'col-name' }, [name]), message: el('td', { class: 'col-message message-cell' }),
      type: el('td', { class: 'muted col-type' }), uptime: el('td', { class: 'num col-uptime' }),
      latency: el('td', { class: 'num col-latency' }), lastcheck: el('td', { class: 'muted col-lastcheck' }), trail: el('td', { class: 'col-trail' }, []),
    };
    const trail = el('div', { class: 'trail', role: 'img', 'aria-label': 'loading' });
    cells.trail.append(trail);
    cells.lastcheck.append(el('time'));
    const tr = el('tr', { 'data-entity': doc.name, on: { click: () => onSelect(doc.name, name) } }, Object.values(cells));
    // `written`: what the cells say now, so that a new document changes only what differs.
    const row = { tr, cells, trail, button: name, written: {} };
    rows.set(doc.name, row);
    observer.observe(tr);
    drawTrail(doc.name);
    return row;
  }

  /** Writes a row's cells from a document, touching only those whose text changed. */
  function fill(row, doc) {
    const { cells, written } = row;
    const set = (key, value, write) => {
      if (written[key] === value) return;
      written[key] = value;
      write(value);
    };
    set('class', `status-${doc.status}${selected === doc.name ? ' selected' : ''}`, (v) => { row.tr.className = v; });
    set('badge', `${doc.status}\n${doc.blocked_by ?? ''}`, () => {
      const b = badge(doc.status);
      if (doc.blocked_by) b.title = `blocked by ${doc.blocked_by}`;
      cells.status.replaceChildren(b);
    });
    set('message', problemText(doc), (v) => { cells.message.textContent = v; });
    set('type', doc.type, (v) => { cells.type.textContent = v; });
    // Less than a day of data: the figure is marked, and its title says how much there is.
    const uptime = formatPercent(doc.uptime?.['24h']);
    const partial = formatUptime(doc, '24h');
    set('uptime', `${uptime}\n${partial}`, () => {
      cells.uptime.textContent = uptime;
      cells.uptime.title = partial === uptime ? '' : `24 h: ${partial}`;
      cells.uptime.classList.toggle('partial', partial !== uptime);
    });
    set('latency', formatLatency(doc.latency_ms), (v) => { cells.latency.textContent = v; });
    const time = cells.lastcheck.firstChild;
    set('lastcheck', doc.lastcheck ?? '', (v) => {
      time.setAttribute('datetime', v);
      time.title = formatTime(doc.lastcheck);
    });
    set('ago', formatAgo(doc.lastcheck), (v) => { time.textContent = v; });
  }

  // Every entity's name in table order, with the sort key each was placed by. A batch of changed
  // documents moves only those rows (binary search), so 20,000 entities are not re-sorted per batch.
  let order = [];
  const keyOf = new Map();
  const compare = (a, b) => {
    const ka = keyOf.get(a);
    const kb = keyOf.get(b);
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * sort.dir || position.get(a) - position.get(b);
  };
  /** The first index whose name sorts at or after `name`. */
  function lowerBound(name) {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(order[mid], name) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function sortAll() {
    const key = KEYS[sort.key];
    keyOf.clear();
    for (const doc of store.entities.values()) if (position.has(doc.name)) keyOf.set(doc.name, key(doc));
    order = [...keyOf.keys()].sort(compare);
  }

  /**
   * Moves the rows of changed documents to where their new keys sort: one by one (binary search)
   * for a few, else in one pass (take them out, sort them, merge) so that a batch of hundreds
   * costs one walk over the order rather than hundreds of splices of it.
   */
  function reorder(names) {
    const key = KEYS[sort.key];
    const moved = [];
    for (const name of names) {
      const doc = store.entities.get(name);
      if (!doc || !position.has(name)) continue; // a new entity: setAll places it
      if (!keyOf.has(name) || keyOf.get(name) !== key(doc)) moved.push(name);
    }
    if (moved.length <= FEW_MOVES) {
      for (const name of moved) {
        if (keyOf.has(name)) order.splice(lowerBound(name), 1);
        keyOf.set(name, key(store.entities.get(name)));
        order.splice(lowerBound(name), 0, name);
      }
      return;
    }
    const leaving = new Set(moved);
    const rest = order.filter((name) => !leaving.has(name));
    for (const name of moved) keyOf.set(name, key(store.entities.get(name)));
    moved.sort(compare);
    order = mergeSorted(rest, moved, compare);
  }

  let drawn = [];
  /** Draws the first `limit` rows of the order that pass the filter; the DOM only when they changed. */
  function draw() {
    shown = [];
    let matching = 0;
    for (const name of order) {
      const doc = store.entities.get(name);
      if (!doc || !match(doc)) continue;
      matching += 1;
      if (shown.length < limit) shown.push(doc);
    }
    if (shown.length !== drawn.length || shown.some((doc, i) => doc.name !== drawn[i])) {
      body.replaceChildren(...shown.map((doc) => {
        let row = rows.get(doc.name);
        if (!row) fill(row = makeRow(doc), doc);
        else if (stale.delete(doc.name)) { fill(row, doc); drawTrail(doc.name); }
        return row.tr;
      }));
      drawn = shown.map((doc) => doc.name);
    }
    more.hidden = matching <= shown.length;
    more.querySelector('button').textContent = `Show ${Math.min(PAGE, matching - shown.length)} more of ${matching - shown.length}`;
    for (const th of head.querySelectorAll('th[data-sort]')) {
      th.setAttribute('aria-sort', th.dataset.sort === sort.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    }
  }

  // Column headings sort; pressing the sorted one again reverses.
  for (const th of head.querySelectorAll('th[data-sort]')) {
    const label = th.textContent;
    th.replaceChildren(el('button', { type: 'button', class: 'sort', text: label, on: { click: () => {
      sort = sort.key === th.dataset.sort ? { key: sort.key, dir: -sort.dir } : { key: th.dataset.sort, dir: 1 };
      sortAll();
      draw();
    } } }));
  }
  more.querySelector('button').addEventListener('click', () => { limit += PAGE; draw(); });

  /**
   * A new result arrived by event: extend a loaded trail without asking the server. A drawn row
   * loses its oldest tick and gains the new one (not thirty new ones); a row out of the table is
   * drawn again when it comes back.
   */
  function pushResult(doc) {
    const history = store.trails.get(doc.name);
    if (!history || !doc.lastcheck || history[0]?.at === doc.lastcheck) return;
    history.unshift({ at: doc.lastcheck, ok: lastOk(doc), status: doc.status, latency_ms: doc.latency_ms, message: doc.message });
    history.length = Math.min(history.length, TRAIL);
    const row = rows.get(doc.name);
    if (!row || !row.tr.isConnected) return;
    if (row.trail.childElementCount !== TRAIL) { drawTrail(doc.name); return; }
    row.trail.firstElementChild.remove();
    row.trail.append(tick(history[0]));
    labelTrail(row, history);
  }

  return {
    /** Redraws from the store's documents (file order is the tie-breaker). */
    setAll(docs) {
      position.clear();
      docs.forEach((d, i) => position.set(d.name, i));
      for (const [name, row] of rows) if (!position.has(name)) { observer.unobserve(row.tr); rows.delete(name); stale.delete(name); }
      // Rows are filled anew: a document may have changed while its row was not in the table.
      for (const [name, row] of rows) {
        if (row.tr.isConnected) fill(row, store.entities.get(name));
        else stale.add(name);
      }
      sortAll();
      draw();
    },
    /** A changed document: its row in place (the order is redrawn by `resort`). */
    update(doc) {
      const row = rows.get(doc.name);
      if (row?.tr.isConnected) fill(row, doc);
      else if (row) stale.add(doc.name);
      pushResult(doc);
    },
    /** These documents changed: their rows move where they now sort. */
    resort(names) {
      reorder(names);
      draw();
    },
    filter(text, status) {
      const q = text.trim().toLowerCase();
      match = (doc) => (!q || doc.name.toLowerCase().includes(q) || (doc.group ?? '').toLowerCase().includes(q)) && (!status || doc.status === status || (status === 'flapping' && doc.flapping));
      draw();
    },
    tick() {
      for (const { name } of shown) {
        const row = rows.get(name);
        const ago = formatAgo(store.entities.get(name)?.lastcheck);
        if (!row || row.written.ago === ago) continue;
        row.written.ago = ago;
        row.cells.lastcheck.firstChild.textContent = ago;
      }
    },
    select(name) {
      selected = name;
      for (const [n, row] of rows) {
        row.tr.classList.toggle('selected', n === name);
        row.written.class = row.tr.className;
      }
    },
  };
}
