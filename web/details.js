// The details panel of one entity: status, figures, last message, extra, dependencies and
// dependents (each a button to jump there), its response-time chart and its recent history.
import { createCharts } from './charts.js';
import { el, badge, formatAgo, formatDuration, formatLatency, formatPercent, formatTime, formatUptime, getJson } from './util.js';
import { TRAIL } from './table.js';

export function createDetails({ panel, store, onSelect, onClose }) {
  const content = panel.querySelector('.details-body');
  const title = panel.querySelector('#details-title');
  let current = null;
  let returnFocus = null;
  const charts = createCharts();
  /** Charts reload at most this often while events redraw the panel. */
  const CHART_REFRESH_MS = 30_000;

  const row = (label, value) => [el('dt', { text: label }), el('dd', {}, [typeof value === 'string' ? document.createTextNode(value) : value])];

  /** `by alice 5 min ago (until 14:00): on it` */
  const ackText = (ack) => `by ${ack.by} ${formatAgo(ack.at)}${ack.until ? ` (until ${formatTime(ack.until)})` : ''}${ack.comment ? `: ${ack.comment}` : ''}`;

  function links(names) {
    if (!names.length) return el('p', { class: 'muted', text: 'none' });
    return el('ul', { class: 'links' }, names.map((n) => {
      const doc = store.entities.get(n);
      return el('li', {}, [el('button', { type: 'button', class: 'link', on: { click: () => onSelect(n) } }, [
        el('span', { class: `dot pm-${doc?.status ?? 'unknown'}`, 'aria-hidden': 'true' }), document.createTextNode(` ${n}`),
      ]), doc ? el('span', { class: 'muted', text: ` ${doc.status}` }) : null]);
    }));
  }

  function historyTable(history) {
    if (!history) return el('p', { class: 'muted', text: 'loading…' });
    if (!history.length) return el('p', { class: 'muted', text: 'no checks yet' });
    return el('table', { class: 'history' }, [
      el('thead', {}, [el('tr', {}, ['Time', 'Status', 'Latency', 'Message'].map((h) => el('th', { scope: 'col', text: h })))]),
      el('tbody', {}, history.slice(0, TRAIL).map((h) => el('tr', {}, [
        el('td', { class: 'muted nowrap' }, [el('time', { datetime: h.at, text: formatTime(h.at) })]),
        el('td', {}, [badge(h.status)]),
        el('td', { class: 'num', text: formatLatency(h.latency_ms) }),
        el('td', { class: 'message', text: h.message }),
      ]))),
    ]);
  }

  function render() {
    const doc = store.entities.get(current);
    if (!doc) { close(); return; }
    title.textContent = doc.name;
    const dependents = [...store.entities.values()].filter((d) => (d.dependencies ?? []).includes(doc.name)).map((d) => d.name);
    const extra = Object.entries(doc.extra ?? {});
    const total = doc.success_count + doc.fail_count;
    content.replaceChildren(
      el('p', { class: 'details-status' }, [
        badge(doc.status), document.createTextNode(doc.since ? ` for ${formatDuration(doc.since)}` : ''),
        doc.blocked_by ? el('span', {}, [document.createTextNode(' — root cause: '), el('button', { type: 'button', class: 'link', text: doc.blocked_by, on: { click: () => onSelect(doc.blocked_by) } })]) : null,
      ]),
      el('p', { class: `message${doc.consecutive_failures > 0 ? ' failing' : ''}`, text: doc.message || '—' }),
      el('dl', { class: 'facts' }, [
        ...row('Type', doc.type), ...row('Target', doc.target), ...(doc.group ? row('Group', doc.group) : []),
        ...row('Last check', doc.lastcheck ? `${formatAgo(doc.lastcheck)} (${formatTime(doc.lastcheck)})` : 'never'),
        ...row('Latency', formatLatency(doc.latency_ms)),
        ...row('Checks', total ? `${doc.success_count} passed, ${doc.fail_count} failed (${formatPercent(doc.success_ratio)})` : 'none yet'),
        ...row('Uptime', `24 h ${formatUptime(doc, '24h')} · 7 d ${formatUptime(doc, '7d')} · 30 d ${formatUptime(doc, '30d')}`),
        ...row('Interval', `${doc.interval} s`),
        ...(doc.flapping ? row('Flapping', 'yes: alerts pause until it settles') : []),
        ...(doc.ack ? row('Acknowledged', ackText(doc.ack)) : []),
        ...(doc.maintenance ? row('Maintenance', `${doc.maintenance.name}, until ${formatTime(doc.maintenance.until)}: checked, no alerts`) : []),
      ]),
      el('h3', { text: 'Extra' }),
      extra.length ? el('dl', { class: 'facts' }, extra.flatMap(([k, v]) => row(k, String(v)))) : el('p', { class: 'muted', text: 'none' }),
      el('div', { class: 'deps' }, [
        el('section', {}, [el('h3', { text: 'Depends on' }), links(doc.dependencies ?? [])]),
        el('section', {}, [el('h3', { text: 'Needed by' }), links(dependents)]),
      ]),
      charts.element,
      el('h3', { text: `Last ${TRAIL} checks` }),
      historyTable(store.trails.get(doc.name)),
    );
  }

  async function open(name, opener) {
    const switching = current !== null;
    current = name;
    if (!switching) returnFocus = opener ?? document.activeElement;
    panel.hidden = false;
    document.body.classList.add('with-details');
    render();
    title.focus();
    void charts.show(name);
    try {
      store.trails.set(name, await getJson(`entities/${encodeURIComponent(name)}/history?limit=${TRAIL}`));
      if (current === name) render();
    } catch { /* the table's trail or the next event fills it in */ }
  }

  function close() {
    if (current === null) return;
    current = null;
    charts.hide();
    panel.hidden = true;
    document.body.classList.remove('with-details');
    onClose();
    if (returnFocus?.isConnected) returnFocus.focus({ preventScroll: true });
    returnFocus = null;
  }

  panel.querySelector('.close').addEventListener('click', close);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && current !== null) close(); });

  return {
    open,
    close,
    current: () => current,
    /** Redraws when the shown entity, or one it lists as a dependency or dependent, changed. */
    refresh(names) {
      if (current === null) return;
      const doc = store.entities.get(current);
      const related = [current, ...(doc?.dependencies ?? [])];
      for (const d of store.entities.values()) if ((d.dependencies ?? []).includes(current)) related.push(d.name);
      if (related.some((n) => names.has(n))) render();
      if (names.has(current)) void charts.show(current, CHART_REFRESH_MS);
    },
  };
}
