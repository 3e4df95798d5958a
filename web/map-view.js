// The live map: fetches /map.svg (revalidated with its ETag), swaps it in without touching the
// view, and handles pan and zoom with mouse, touch and keyboard.

const MIN_SCALE = 0.1;
const MAX_SCALE = 4;

export function createMapView({ viewport, canvas, message, onSelect }) {
  let view = { x: 0, y: 0, k: 1 };
  let size = { w: 0, h: 0 };
  let userMoved = false;
  let lastText = '';
  let selected = null;
  let refreshing = null;
  let again = false;

  const apply = () => { canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.k})`; };

  function fit() {
    const vw = viewport.clientWidth;
    const vh = viewport.clientHeight;
    if (!size.w || !vw || !vh) return;
    const k = Math.min(Math.max(Math.min((vw - 32) / size.w, (vh - 32) / size.h), MIN_SCALE), 1);
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

  function markSelected() {
    for (const node of canvas.querySelectorAll('.pm-selected')) node.classList.remove('pm-selected');
    if (selected) canvas.querySelector(`[data-entity="${CSS.escape(selected)}"]`)?.classList.add('pm-selected');
  }

  /** Parses the SVG as XML (never as HTML) and keeps only SVG drawing elements. */
  function parse(text) {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.nodeName !== 'svg' || doc.querySelector('parsererror')) throw new Error('the map is not valid SVG');
    for (const bad of svg.querySelectorAll('script, foreignObject, a, use, image')) bad.remove();
    return document.importNode(svg, true);
  }

  async function load() {
    const res = await fetch('map.svg', { cache: 'no-cache' });
    if (!res.ok) throw new Error(`map: HTTP ${res.status}`);
    const text = await res.text();
    if (text === lastText) return;
    const focused = document.activeElement?.closest?.('[data-entity]')?.getAttribute('data-entity');
    const svg = parse(text);
    lastText = text;
    const before = size;
    size = { w: Number(svg.getAttribute('width')) || 0, h: Number(svg.getAttribute('height')) || 0 };
    canvas.replaceChildren(svg);
    message.hidden = true;
    markSelected();
    // Keep keyboard focus on the same cell across refreshes.
    if (focused) canvas.querySelector(`[data-entity="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
    if (!userMoved && (before.w !== size.w || before.h !== size.h)) fit();
  }

  /** Refreshes now, or once more after the refresh in flight. */
  function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = load().catch((err) => {
      if (!lastText) { message.textContent = `Map unavailable (${err.message}); retrying.`; message.hidden = false; }
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

  canvas.addEventListener('click', (e) => {
    if (moved > 4) return;
    const node = e.target.closest('[data-entity]');
    if (node) onSelect(node.getAttribute('data-entity'), node);
  });
  viewport.addEventListener('keydown', (e) => {
    const node = e.target.closest?.('[data-entity]');
    if (node && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      onSelect(node.getAttribute('data-entity'), node);
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
    refresh,
    fit,
    zoomIn: () => zoomCentre(1.25),
    zoomOut: () => zoomCentre(0.8),
    select(name) { selected = name; markSelected(); },
    /** Pans a cell out from under a panel that covers the viewport's right `covered` pixels. */
    reveal(name, covered) {
      const cell = canvas.querySelector(`[data-entity="${CSS.escape(name)}"]`);
      if (!cell) return;
      const box = cell.getBoundingClientRect();
      const area = viewport.getBoundingClientRect();
      const right = area.right - covered - 16;
      if (box.right <= right && box.left >= area.left + 16) return;
      const dx = Math.max(right - box.right, area.left + 16 - box.left);
      view = { ...view, x: view.x + dx };
      apply();
    },
  };
}
