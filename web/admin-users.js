// Admins' view of login users: add one, change a role, set a new password, delete. Passwords go
// to the server once and are written as scrypt hashes; the list never holds a hash.
import { el } from './util.js';
import { review } from './review.js';

const dry = (dryRun) => (dryRun ? '?dry_run=1' : '');

export async function showUsers(container, send) {
  const res = await fetch('admin/users', { headers: { accept: 'application/json' } });
  const data = await res.json();
  if (!res.ok) return container.replaceChildren(el('p', { class: 'field-error', text: data.error ?? `HTTP ${res.status}` }));
  const { users, roles, etag } = data;
  const box = el('div', { class: 'diff-box', id: 'users-review', hidden: true });
  const reload = () => showUsers(container, send);
  const change = (method, url, body) => review(box, (dryRun) => send(method, `${url}${dry(dryRun)}`, { body, etag }), { done: reload });
  const roleSelect = (id, value) => el('select', { id, 'aria-label': 'role' }, roles.map((r) => el('option', { value: r, text: r, selected: r === value })));

  const rows = users.map((u) => {
    const url = `admin/users/${encodeURIComponent(u.name)}`;
    const role = roleSelect(`role-${u.name}`, u.role);
    role.addEventListener('change', () => void change('PATCH', url, { role: role.value }));
    const password = el('input', { type: 'password', autocomplete: 'new-password', placeholder: 'new password', 'aria-label': `new password for ${u.name}` });
    return el('tr', { 'data-user': u.name }, [
      el('td', { text: u.name }),
      el('td', {}, [role]),
      el('td', {}, [password, el('button', { type: 'button', class: 'button', text: 'Set password', on: { click: () => void change('PATCH', url, { password: password.value }) } })]),
      el('td', {}, [el('button', { type: 'button', class: 'button', text: 'Delete', on: { click: () => void change('DELETE', url) } })]),
    ]);
  });

  const name = el('input', { id: 'new-user-name', autocomplete: 'off', required: true });
  const role = roleSelect('new-user-role', 'viewer');
  const password = el('input', { id: 'new-user-password', type: 'password', autocomplete: 'new-password' });
  const add = el('form', { class: 'inline-form', id: 'new-user' }, [
    el('label', { for: 'new-user-name', text: 'name' }), name,
    el('label', { for: 'new-user-role', text: 'role' }), role,
    el('label', { for: 'new-user-password', text: 'password' }), password,
    el('button', { type: 'submit', class: 'button primary', text: 'Add user' }),
  ]);
  add.addEventListener('submit', (event) => {
    event.preventDefault();
    void change('POST', 'admin/users', { name: name.value.trim(), role: role.value, password: password.value });
  });

  container.replaceChildren(
    el('p', { class: 'help', text: 'Logins for the page. Passwords are written into entities.yaml only as scrypt hashes (at least 8 characters). The last admin can be neither deleted nor demoted.' }),
    users.length === 0 ? el('p', { class: 'muted', text: 'No users yet.' })
      : el('table', { class: 'admin-table', id: 'users' }, [
        el('thead', {}, [el('tr', {}, ['Name', 'Role', 'Password', ''].map((h) => el('th', { scope: 'col', text: h })))]),
        el('tbody', {}, rows),
      ]),
    el('h3', { text: 'Add a user' }), add, box,
  );
}
