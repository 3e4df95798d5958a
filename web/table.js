// The entity table: one row per entity in file order, updated in place; trails of the last 30
// results are fetched when a row first scrolls into view, a few at a time.
import { el, badge, formatAgo, formatLatency, formatPercent, formatTime, getJson, limiter } from './util.js';

export const TRAIL = 30;

/** Whether the check behind a document passed: a passing check resets consecutive failures. */
export const lastOk = (doc) => doc.consecutive_failures === 0;

export function createTable({ body, onSelect, store }) {
  const rows = new Map();
  let selected = null;
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

  function drawTrail(name) {
    const row = rows.get(name);
    const history = store.trails.get(name);
    if (!row || !history) return;
    const items = history.slice(0, TRAIL).reverse();
    const passed = items.filter((h) => h.ok).length;
    const bars = items.map((h) => el('span', {
      class: `tick pm-${h.status}${h.ok ? '' : ' failed'}`,
      title: `${formatTime(h.at)} · ${h.status} · ${formatLatency(h.latency_ms)}${h.message ? ` · ${h.message}` : ''}`,
    }));
    for (let i = items.length; i < TRAIL; i++) bars.unshift(el('span', { class: 'tick empty' }));
    row.trail.replaceChildren(...bars);
    row.trail.setAttribute('aria-label', items.length ? `${passed} of the last ${items.length} checks passed` : 'no checks yet');
  }

  function makeRow(doc) {
    const name = el('button', { type: 'button', class: 'link', text: doc.name, on: { click: (e) => { e.stopPropagation(); onSelect(doc.name, e.currentTarget); } } });
    const cells = {
      status: el('td'), name: el('td', {}, [name]), type: el('td', { class: 'muted' }), uptime: el('td', { class: 'num' }),
      latency: el('td', { class: 'num' }), lastcheck: el('td', { class: 'muted' }), trail: el('td', {}, []),
    };
    const trail = el('div', { class: 'trail', role: 'img', 'aria-label': 'loading' });
    cells.trail.append(trail);
    const tr = el('tr', { 'data-entity': doc.name, on: { click: () => onSelect(doc.name, name) } }, Object.values(cells));
    const row = { tr, cells, trail, button: name };
    rows.set(doc.name, row);
    observer.observe(tr);
    return row;
  }

  function update(doc) {
    const row = rows.get(doc.name) ?? makeRow(doc);
    const { cells } = row;
    row.tr.className = `status-${doc.status}${selected === doc.name ? ' selected' : ''}`;
    const b = badge(doc.status);
    if (doc.blocked_by) b.title = `blocked by ${doc.blocked_by}`;
    cells.status.replaceChildren(b);
    cells.type.textContent = doc.type;
    cells.uptime.textContent = formatPercent(doc.uptime?.['24h']);
    cells.latency.textContent = formatLatency(doc.latency_ms);
    cells.lastcheck.replaceChildren(el('time', { datetime: doc.lastcheck ?? '', title: formatTime(doc.lastcheck), text: formatAgo(doc.lastcheck) }));
    return row;
  }

  /** A new result arrived by event: extend a loaded trail without asking the server. */
  function pushResult(doc) {
    const history = store.trails.get(doc.name);
    if (!history || !doc.lastcheck || history[0]?.at === doc.lastcheck) return;
    history.unshift({ at: doc.lastcheck, ok: lastOk(doc), status: doc.status, latency_ms: doc.latency_ms, message: doc.message });
    history.length = Math.min(history.length, TRAIL);
    drawTrail(doc.name);
  }

  return {
    /** Rebuilds the rows in file order from a full list. */
    setAll(docs) {
      const names = new Set(docs.map((d) => d.name));
      for (const [name, row] of rows) if (!names.has(name)) { observer.unobserve(row.tr); rows.delete(name); }
      body.replaceChildren(...docs.map((d) => update(d).tr));
      for (const d of docs) drawTrail(d.name);
    },
    update(doc) {
      update(doc);
      pushResult(doc);
    },
    filter(text, status) {
      const q = text.trim().toLowerCase();
      for (const [name, row] of rows) {
        const doc = store.entities.get(name);
        const match = (!q || name.toLowerCase().includes(q) || (doc?.group ?? '').toLowerCase().includes(q)) && (!status || doc?.status === status);
        row.tr.hidden = !match;
      }
    },
    tick() {
      for (const [name, row] of rows) {
        const doc = store.entities.get(name);
        const time = row.cells.lastcheck.firstChild;
        if (doc && time) time.textContent = formatAgo(doc.lastcheck);
      }
    },
    select(name) {
      selected = name;
      for (const [n, row] of rows) row.tr.classList.toggle('selected', n === name);
    },
  };
}
