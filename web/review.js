// A change to entities.yaml is shown before it is saved: a dry run's exact diff, then Save.
import { el } from './util.js';

export function diffView(diff) {
  const pre = el('pre', { class: 'diff', 'aria-label': 'Change to entities.yaml' });
  for (const line of diff.split('\n')) {
    const cls = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
    pre.append(el('span', { class: cls, text: `${line}\n` }));
  }
  return pre;
}

function showError(box, res, onErrors) {
  const errors = res.data?.errors ?? [];
  const rest = res.status === 422 && onErrors ? onErrors(errors) : errors;
  const message = rest.length > 0 ? rest.map((e) => e.message).join('\n') : res.status === 422 && onErrors ? '' : res.data?.error ?? `HTTP ${res.status}`;
  box.replaceChildren(...(message ? [el('p', { class: 'field-error', role: 'alert', text: message })] : []));
  box.hidden = !message;
}

/**
 * `request(dryRun)` sends the change; first as a dry run whose diff `box` shows with a Save
 * button, then for real on Save, after which `done(result)` runs and then the box closes. Refusals show in `box`; 422
 * errors go to `onErrors(errors)` first, which returns the ones no field took.
 */
export async function review(box, request, { done, onErrors } = {}) {
  const res = await request(true);
  onErrors?.([]);
  if (!res.ok) return showError(box, res, onErrors);
  box.hidden = false;
  if (!res.data.changed) {
    box.replaceChildren(el('p', { class: 'muted', text: 'Nothing to change.' }));
    return;
  }
  const close = () => { box.hidden = true; box.replaceChildren(); };
  const save = el('button', { type: 'button', class: 'button primary review-save', text: 'Save' });
  box.replaceChildren(el('p', { text: 'This change will be written to entities.yaml:' }), diffView(res.data.diff),
    el('div', { class: 'editor-buttons' }, [el('button', { type: 'button', class: 'button', text: 'Cancel', on: { click: close } }), save]));
  save.focus();
  save.addEventListener('click', async () => {
    save.disabled = true;
    const saved = await request(false);
    if (!saved.ok) return showError(box, saved, onErrors);
    // The diff stays until `done` has drawn the saved state, so nothing stale (a control of the
    // old list, its old ETag) can be used in between.
    try { await done?.(saved); } finally { close(); }
  });
}
