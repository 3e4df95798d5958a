// The live map of one view: fetches /map.svg?VIEW once per layout, then keeps its cells up to date
// in place from /map.json?VIEW (status classes and cell text, found by their data attributes);
// handles pan and zoom with mouse, touch and keyboard.

const MIN_SCALE = 0.05;
/**
 * The problems view changes shape whenever an entity starts or stops failing; with statuses
 * flapping it would be fetched and parsed anew every few seconds, a long task each. A new SVG of
 * it is taken at most this often; meanwhile its cells are kept up to date in place.
 */
const SAME_VIEW_SVG_MS = 10_000;
const MAX_SCALE = 4;
/** nomnoml draws cell names at 12pt (16 px): below this scale they are under 11 px on screen. */
export const READABLE_SCALE = 11 / 16;

/** Parses the SVG as XML (never as HTML) and keeps only SVG drawing elements. */
function parse(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg' || doc.querySelector('parsererror')) throw new Error('the map is not valid SVG');
  for (const bad of svg.querySelectorAll('script, foreignObject, a, use, image')) bad.remove();
  return document.importNode(svg, true);
}

/** The selector of a cell of /map.json. */
const cellSelector = (c) => (c.kind === 'group' || c.kind === 'range' ? `[data-${c.kind}="${CSS.escape(c.name)}"]` : `[data-entity="${CSS.escape(c.name)}"]`);

export function createMapView({ viewport, canvas, message, onSelect, onGroup, onRange }) {
  let view = { x: 0, y: 0, k: 1 };
  let size = { w: 0, h: 0 };
  let userMoved = false;
  let query = '';
  let layout = null;
  let selected = null;
  let refreshing = null;
  let again = false;
  let marks = null;
  let dimmed = null;
  /** When the shown SVG was taken, and the refresh waiting for SAME_VIEW_SVG_MS to pass. */
  let shownAt = 0;
  let later = null;

  const apply = () => { canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.k})`; };

  /** The scale "Fit" gives a map of this size in the viewport. */
  function fitScale(w, h) {
    const vw = viewport.clientWidth;
    const vh = viewport.clientHeight;
    if (!w || !vw || !vh) return 1;
    return Math.min(Math.max(Math.min((vw - 32) / w, (vh - 32) / h), MIN_SCALE), 1);
  }

  function fit() {
    const vw = viewport.clientWidth;
    const vh = viewport.clientHeight;
    if (!size.w || !vw || !vh) return;
    const k = fitScale(size.w, size.h);
    view = { k, x: (vw - size.w * k) / 2, y: Math.max(16, (vh - size.h * k) / 2) };
    userMoved = false;
    apply();
  }

  function zoomAt(factor, px, py) {
    const k = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.k * factor));
    view = { k, x: px - ((px - view.x) * k) / view.k, y: py - ((py - view.y) * k) / view.k };
    userMoved = true;
    apply();
  }

  const zoomCentre = (factor) => zoomAt(factor, viewport.clientWidth / 2, viewport.clientHeight / 2);

  function pan(dx, dy) {
    view = { ...view, x: view.x + dx, y: view.y + dy };
    userMoved = true;
    apply();
  }

  const cellOf = (name) => canvas.querySelector(`[data-entity="${CSS.escape(name)}"]`);

  /** Selection, the cells tied to it, and the status filter: kept across new SVGs. */
  function markSelected() {
    for (const node of canvas.querySelectorAll('.pm-selected')) node.classList.remove('pm-selected');
    if (selected) cellOf(selected)?.classList.add('pm-selected');
    for (const node of canvas.querySelectorAll('.pm-impacted')) node.classList.remove('pm-impacted');
    for (const edge of canvas.querySelectorAll('.pm-lit')) edge.classList.remove('pm-lit');
    canvas.classList.toggle('highlighting', Boolean(marks));
    if (marks) {
      for (const node of canvas.querySelectorAll('[data-entity]')) if (marks.names.has(node.getAttribute('data-entity'))) node.classList.add('pm-impacted');
      for (const node of canvas.querySelectorAll('[data-group]')) if (marks.groups.has(node.getAttribute('data-group'))) node.classList.add('pm-impacted');
      // Edges name their cells by key (entity name, `group:PATH`, `blocked:PATH`): lit when they
      // run from a marked cell down to another marked cell or to the selected root.
      const keys = new Set(marks.names);
      for (const g of marks.groups) { keys.add(`group:${g}`); keys.add(`blocked:${g}`); }
      for (const edge of canvas.querySelectorAll('.pm-edge')) {
        const to = edge.getAttribute('data-to');
        if (keys.has(edge.getAttribute('data-from')) && (keys.has(to) || to === selected)) edge.classList.add('pm-lit');
      }
    }
    // The flapping chip dims what does not flap; a status chip what has another status.
    const kept = (node) => (dimmed === 'flapping' ? node.hasAttribute('data-flapping') : node.getAttribute('data-status') === dimmed);
    for (const node of canvas.querySelectorAll('[data-status]')) node.classList.toggle('pm-dim', dimmed !== null && !kept(node));
  }

  /** Fetches a view's SVG: its text, size and layout key, without showing it. */
  async function fetchView(q) {
    const res = await fetch(`map.svg${q}`, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`map: HTTP ${res.status}`);
    const svg = parse(await res.text());
    return { q, svg, w: Number(svg.getAttribute('width')) || 0, h: Number(svg.getAttribute('height')) || 0 };
  }

  /** Shows a fetched view; fits it unless it is the same view and the user moved it. */
  function show(fetched) {
    const sameView = fetched.q === query;
    const focused = document.activeElement?.closest?.('[data-entity]')?.getAttribute('data-entity');
    query = fetched.q;
    layout = fetched.svg.getAttribute('data-layout');
    shownAt = Date.now();
    clearTimeout(later);
    later = null;
    const before = size;
    size = { w: fetched.w, h: fetched.h };
    canvas.replaceChildren(fetched.svg);
    message.hidden = true;
    markSelected();
    // Keep keyboard focus on the same cell across refreshes.
    if (focused) cellOf(focused)?.focus({ preventScroll: true });
    if (!sameView || (!userMoved && (before.w !== size.w || before.h !== size.h))) fit();
  }

  /** Applies /map.json in place; false when the layout changed and the SVG must be fetched. */
  function applyCells(cells) {
    const same = cells.layout === layout;
    let recoloured = false;
    for (const c of cells.cells) {
      const node = canvas.querySelector(cellSelector(c));
      if (!node) {
        if (same) return false;
        continue; // a cell the new layout adds: it comes with the new SVG
      }
      const was = node.getAttribute('data-status');
      if (was !== c.status) {
        recoloured = true;
        node.setAttribute('data-status', c.status);
        node.classList.replace(`pm-${was}`, `pm-${c.status}`);
        node.setAttribute('aria-label', `${c.kind === 'group' ? `group ${c.name || 'ungrouped'}` : c.kind === 'range' ? `groups ${c.name.replace('..', ' to ')}` : c.name}: ${c.status}`);
      }
      if (c.kind === 'entity' && node.classList.contains('pm-flapping') !== c.flapping) {
        recoloured = true;
        node.classList.toggle('pm-flapping', c.flapping);
        if (c.flapping) node.setAttribute('data-flapping', 'true');
        else node.removeAttribute('data-flapping');
      }
      c.lines.forEach((lines, compartment) => {
        const texts = node.querySelectorAll(`text[data-compartment="${compartment}"]`);
        lines.forEach((text, i) => { if (texts[i] && texts[i].textContent !== text) texts[i].textContent = text; });
      });
    }
    if (recoloured && dimmed !== null) markSelected();
    return same;
  }

  /** Brings the view up to date: cells in place while the layout holds, else the new SVG. */
  async function update() {
    if (layout === null) return; // no view shown yet: the page shows the first one
    const res = await fetch(`map.json${query}`, { cache: 'no-cache' });
    if (res.ok && applyCells(await res.json())) return;
    // The problems view changes shape with statuses: at once after a calm spell, else once
    // SAME_VIEW_SVG_MS has passed. (Other views change shape only with the configuration.)
    const wait = shownAt + SAME_VIEW_SVG_MS - Date.now();
    if (res.ok && wait > 0 && canvas.querySelector('svg')?.getAttribute('data-view') === 'problems') {
      later ??= setTimeout(() => { later = null; void refresh(); }, wait);
      return;
    }
    const fetched = await fetchView(query);
    if (fetched.q === query) show(fetched); // unless another view was shown meanwhile
  }

  /** Updates now, or once more after the update in flight. */
  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = update().catch((err) => {
      if (layout === null) { message.textContent = `Map unavailable (${err.message}); retrying.`; message.hidden = false; }
    }).finally(() => {
      refreshing = null;
      if (again) { again = false; void refresh(); }
    });
    return refreshing;
  }

  // Pointer drag to pan (a short move is still a click), two pointers to pinch.
  const pointers = new Map();
  let moved = 0;
  let pinch = null;
  viewport.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    moved = 0;
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = Math.hypot(a.x - b.x, a.y - b.y);
    }
  });
  viewport.addEventListener('pointermove', (e) => {
    const last = pointers.get(e.pointerId);
    if (!last) return;
    const dx = e.clientX - last.x;
    const dy = e.clientY - last.y;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.size === 2 && pinch) {
      const [a, b] = [...pointers.values()];
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      const r = viewport.getBoundingClientRect();
      zoomAt(d / pinch, (a.x + b.x) / 2 - r.left, (a.y + b.y) / 2 - r.top);
      pinch = d;
      return;
    }
    moved += Math.abs(dx) + Math.abs(dy);
    if (moved > 4) {
      viewport.classList.add('dragging');
      if (!viewport.hasPointerCapture(e.pointerId)) viewport.setPointerCapture(e.pointerId);
      pan(dx, dy);
    }
  });
  const up = (e) => {
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = null;
    viewport.classList.remove('dragging');
  };
  viewport.addEventListener('pointerup', up);
  viewport.addEventListener('pointercancel', up);
  viewport.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = viewport.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });

  /** An entity cell selects it; a group cell opens the group, a range cell the range. */
  function activate(node) {
    if (node.hasAttribute('data-entity')) onSelect(node.getAttribute('data-entity'), node);
    else if (node.hasAttribute('data-range')) onRange(node.getAttribute('data-range'), node);
    else onGroup(node.getAttribute('data-group'), node);
  }
  canvas.addEventListener('click', (e) => {
    if (moved > 4) return;
    const node = e.target.closest('[data-entity], [data-group], [data-range]');
    if (node) activate(node);
  });
  viewport.addEventListener('keydown', (e) => {
    const node = e.target.closest?.('[data-entity], [data-group], [data-range]');
    if (node && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      activate(node);
      return;
    }
    const step = 60;
    const keys = {
      '+': () => zoomCentre(1.25), '=': () => zoomCentre(1.25), '-': () => zoomCentre(0.8), '0': fit,
      ArrowLeft: () => pan(step, 0), ArrowRight: () => pan(-step, 0), ArrowUp: () => pan(0, step), ArrowDown: () => pan(0, -step),
    };
    if (keys[e.key] && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      keys[e.key]();
    }
  });
  new ResizeObserver(() => { if (!userMoved) fit(); }).observe(viewport);

  return {
    /** Fetches a view (`?group=eu`, `?view=problems`, '' for the default) without showing it. */
    fetchView,
    show,
    /** The view shown: its query and its name (`overview`, `group:eu`...). */
    current: () => ({ query, name: canvas.querySelector('svg')?.getAttribute('data-view') ?? null }),
    /** Whether a fetched view is readable at "Fit" (cell names at least 11 px tall). */
    readable: (fetched) => fitScale(fetched.w, fetched.h) >= READABLE_SCALE,
    refresh,
    fit,
    zoomIn: () => zoomCentre(1.25),
    zoomOut: () => zoomCentre(0.8),
    has: (name) => cellOf(name) !== null,
    select(name) { selected = name; markSelected(); },
    /** Marks cells (entity names, group paths) as tied to the selected root; null clears. */
    highlight(names, groups) { marks = names ? { names, groups } : null; markSelected(); },
    /** Dims every cell whose status is not `status` (null shows all). */
    dim(status) { dimmed = status; markSelected(); },
    /** Centres a cell in the part of the viewport a panel on the right (`covered` px) leaves free. */
    centre(name, covered = 0) {
      const cell = cellOf(name);
      if (!cell) return;
      const box = cell.getBoundingClientRect();
      const area = viewport.getBoundingClientRect();
      const free = area.width - covered;
      if (view.k < READABLE_SCALE) {
        // Too small to read: zoom to readable around the cell first.
        zoomAt(READABLE_SCALE / view.k, box.left + box.width / 2 - area.left, box.top + box.height / 2 - area.top);
        return this.centre(name, covered);
      }
      view = { ...view, x: view.x + (area.left + free / 2) - (box.left + box.width / 2), y: view.y + (area.top + area.height / 2) - (box.top + box.height / 2) };
      userMoved = true;
      apply();
    },
  };
}
