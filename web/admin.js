// The admin dialog: login users and notify settings, each changed through entities.yaml with
// the diff shown before saving.
import { el } from './util.js';
import { showUsers } from './admin-users.js';
import { showNotify } from './admin-notify.js';

export function createAdmin({ send, loadSchema }) {
  const dialog = el('dialog', { class: 'editor admin', id: 'admin-dialog', 'aria-labelledby': 'admin-title' });
  document.body.append(dialog);
  const body = el('div', { class: 'admin-body' });
  const tabs = { users: 'Users', notify: 'Notify' };
  const buttons = Object.entries(tabs).map(([key, label]) => el('button', {
    type: 'button', class: 'button tab', id: `admin-tab-${key}`, text: label, on: { click: () => void show(key) },
  }));

  async function show(tab) {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.id === `admin-tab-${tab}`));
    body.replaceChildren(el('p', { class: 'muted', text: 'loading…' }));
    if (tab === 'users') await showUsers(body, send);
    else await showNotify(body, send, await loadSchema());
  }

  return async function open(tab = 'users') {
    dialog.replaceChildren(
      el('h2', { id: 'admin-title', text: 'Administration' }),
      el('div', { class: 'tabs', role: 'group', 'aria-label': 'Sections' }, buttons),
      body,
      el('div', { class: 'editor-buttons' }, [el('button', { type: 'button', class: 'button', text: 'Close', on: { click: () => dialog.close() } })]),
    );
    dialog.showModal();
    await show(tab);
  };
}
