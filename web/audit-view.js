// The audit log for admins: who changed what in entities.yaml, when, with the diff.
import { el, formatTime } from './util.js';

export async function showAudit(dialog, diffView) {
  const res = await fetch('audit?limit=100', { headers: { accept: 'application/json' } });
  const entries = res.ok ? await res.json() : [];
  const list = el('ol', { class: 'audit-list' }, entries.map((e) => el('li', {}, [
    el('p', {}, [el('strong', { text: `${e.action}${e.kind ? ` ${e.kind}` : ''} ${e.entity}` }), el('span', { class: 'muted', text: ` by ${e.by}, ${formatTime(e.at)}` })]),
    el('details', {}, [el('summary', { text: 'Change' }), diffView(e.diff)]),
  ])));
  dialog.replaceChildren(el('form', { method: 'dialog' }, [
    el('h2', { text: 'Audit log' }),
    entries.length === 0 ? el('p', { class: 'muted', text: res.ok ? 'No changes yet.' : `Cannot read the audit log (HTTP ${res.status}).` }) : list,
    el('div', { class: 'editor-buttons' }, [el('button', { class: 'button', text: 'Close' })]),
  ]));
  dialog.showModal();
}
