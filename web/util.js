// Small helpers shared by the page's modules. User text only ever goes through textContent.

export const STATUSES = ['unknown', 'ok', 'degraded', 'pending', 'error', 'blocked', 'maintenance'];

/** Creates an element; `text` becomes textContent, never markup. */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key === 'on') for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function formatLatency(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatPercent(ratio) {
  if (ratio === null || ratio === undefined) return '—';
  return `${(ratio * 100).toFixed(ratio >= 0.9995 && ratio < 1 ? 3 : 2)} %`;
}

export function formatAgo(iso, now = Date.now()) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function formatDuration(fromIso, now = Date.now()) {
  if (!fromIso) return '';
  return formatSpan((now - Date.parse(fromIso)) / 1000);
}

/** A length of time in seconds, to the two largest units: `3 d 4 h`, `25 min`. */
export function formatSpan(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

const UPTIME_WINDOW_SECONDS = { '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 };

/**
 * An uptime window's figure, saying how much of the window has data when it is not all of it:
 * `100.00 % (data for 25 min)` rather than the same number three times after 25 minutes.
 */
export function formatUptime(doc, window) {
  const ratio = doc.uptime?.[window];
  const share = doc.uptime_coverage?.[window];
  if (ratio === null || ratio === undefined || share === undefined || share >= 0.999) return formatPercent(ratio);
  return `${formatPercent(ratio)} (data for ${formatSpan(share * UPTIME_WINDOW_SECONDS[window])})`;
}

export function badge(status, extra = '') {
  return el('span', { class: `badge pm-${status}`, text: extra ? `${status} ${extra}` : status });
}

/** Fetches JSON; throws with the status on failure. */
export async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** GET /health: 503 is an answer too (the store is failing; the body says how). */
export async function getHealth() {
  const res = await fetch('health', { headers: { accept: 'application/json' } });
  if (!res.ok && res.status !== 503) throw new Error(`health: HTTP ${res.status}`);
  return res.json();
}

/** Runs at most `limit` tasks at a time. */
export function limiter(limit) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= limit || queue.length === 0) return;
    active += 1;
    const { task, resolve, reject } = queue.shift();
    task().then(resolve, reject).finally(() => { active -= 1; next(); });
  };
  return (task) => new Promise((resolve, reject) => { queue.push({ task, resolve, reject }); next(); });
}
