// The page's writing side: who is logged in, and for editors adding, editing, duplicating and
// deleting entities. Every change is first shown as the exact YAML diff, then saved with the
// file's ETag, so an edit made meanwhile by hand is never overwritten.
import { el } from './util.js';
import { loadSession, showAccount, writer } from './account.js';
import { buildFields } from './editor-form.js';
import { showAudit } from './audit-view.js';
import { diffView } from './review.js';
import { createAdmin } from './admin.js';

const session = await loadSession();
const tools = document.querySelector('.bar .tools');
showAccount(tools, session);
const send = writer(session);
const canEdit = session.role === 'editor' || session.role === 'admin';

let schema = null;
async function loadSchema() {
  schema ??= await (await fetch('config/schema', { headers: { accept: 'application/json' } })).json();
  return schema;
}

async function existing() {
  const docs = await (await fetch('entities', { headers: { accept: 'application/json' } })).json();
  return { names: docs.map((d) => d.name), groups: [...new Set(docs.map((d) => d.group).filter(Boolean))] };
}

const dialog = el('dialog', { class: 'editor', id: 'editor', 'aria-labelledby': 'editor-title' });
document.body.append(dialog);

/**
 * Opens the dialog: `mode` is create, edit or delete; `name` the entity (edit, delete);
 * `values` the starting fields (edit, duplicate).
 */
async function open(mode, name = null, values = null) {
  const [s, known] = await Promise.all([loadSchema(), existing()]);
  let etag = null;
  if (mode !== 'create') {
    const res = await fetch(`config/entities/${encodeURIComponent(name)}`, { headers: { accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) return alertBox(body.error ?? `HTTP ${res.status}`);
    if (!body.editable) return alertBox(body.reason);
    values ??= body.fields;
    etag = body.etag;
  }
  const title = { create: values ? `Duplicate ${name}` : 'Add an entity', edit: `Edit ${name}`, delete: `Delete ${name}` }[mode];
  const general = el('p', { class: 'field-error', role: 'alert', hidden: true });
  const diffBox = el('div', { class: 'diff-box', hidden: true });
  const fieldsBox = el('div', { class: 'fields' });
  const nameInput = el('input', { id: 'editor-name', required: true, autocomplete: 'off' });
  nameInput.value = mode === 'create' ? (name ? `${name}_copy` : '') : name;
  const typeSelect = el('select', { id: 'editor-type' }, s.$defs.entity.properties.type.enum.map((t) => el('option', { value: t, text: t })));
  typeSelect.value = values?.type ?? 'api';
  let form = null;
  const context = { ...known, self: mode === 'create' ? null : name };
  const rebuild = () => {
    const keep = form ? { ...form.read() } : values ?? {};
    fieldsBox.replaceChildren();
    form = buildFields(s, typeSelect.value, fieldsBox, keep, context);
  };
  typeSelect.addEventListener('change', rebuild);
  rebuild();

  const review = el('button', { type: 'submit', class: 'button primary', id: 'editor-review', text: mode === 'delete' ? 'Show the change' : 'Review the change' });
  const save = el('button', { type: 'button', class: 'button primary', id: 'editor-save', text: mode === 'delete' ? 'Delete' : 'Save', hidden: true });
  const cancel = el('button', { type: 'button', class: 'button', text: 'Cancel', on: { click: () => dialog.close() } });
  const formEl = el('form', { novalidate: true }, [
    el('h2', { id: 'editor-title', text: title }),
    ...(mode === 'delete' ? [] : [
      el('div', { class: 'field', 'data-path': 'name' }, [el('label', { for: 'editor-name', text: 'name' }), nameInput,
        el('p', { class: 'help', text: 'Letters, digits, _ . - (at most 64). Renaming updates every dependencies list that names it.' })]),
      el('div', { class: 'field' }, [el('label', { for: 'editor-type', text: 'type' }), typeSelect]),
      fieldsBox,
    ]),
    general, diffBox,
    el('div', { class: 'editor-buttons' }, [cancel, review, save]),
  ]);

  const request = (dryRun) => {
    const q = dryRun ? '?dry_run=1' : '';
    const fields = mode === 'delete' ? undefined : form.read();
    const newName = nameInput.value.trim();
    if (mode === 'create') return send('POST', `entities${q}`, { body: { name: newName, ...fields }, etag });
    if (mode === 'edit') return send('PUT', `entities/${encodeURIComponent(name)}${q}`, { body: newName !== name ? { ...fields, name: newName } : fields, etag });
    return send('DELETE', `entities/${encodeURIComponent(name)}${q}`, { etag });
  };
  const showResult = (res) => {
    general.hidden = true;
    if (res.status === 422) {
      const prefix = `/entities/${mode === 'create' || mode === 'edit' ? nameInput.value.trim() : name}`;
      const rest = form ? form.showErrors(res.data.errors, prefix) : res.data.errors;
      if (rest.length > 0) { general.textContent = rest.map((e) => e.message).join('\n'); general.hidden = false; }
      return false;
    }
    if (!res.ok) {
      general.textContent = res.data?.error ?? `HTTP ${res.status}`;
      general.hidden = false;
      return false;
    }
    form?.showErrors([], '');
    return true;
  };

  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    const res = await request(true);
    save.hidden = true;
    diffBox.hidden = true;
    if (!showResult(res)) return;
    if (mode === 'create') etag = res.data.etag;
    if (!res.data.changed) { general.textContent = 'Nothing to change.'; general.hidden = false; return; }
    diffBox.replaceChildren(el('p', { text: 'This change will be written to entities.yaml:' }), diffView(res.data.diff));
    diffBox.hidden = false;
    save.hidden = false;
    save.focus();
  });
  save.addEventListener('click', async () => {
    const res = await request(false);
    if (!showResult(res)) { save.hidden = true; return; }
    dialog.close();
  });
  dialog.replaceChildren(formEl);
  dialog.showModal();
  (mode === 'delete' ? review : nameInput).focus();
}

function alertBox(message) {
  dialog.replaceChildren(el('form', { method: 'dialog' }, [el('p', { class: 'field-error', text: message }),
    el('div', { class: 'editor-buttons' }, [el('button', { class: 'button', text: 'Close' })])]));
  dialog.showModal();
}

if (canEdit && session.writes) {
  tools.prepend(el('button', { type: 'button', class: 'button', id: 'add-entity', text: 'Add entity', on: { click: () => void open('create') } }));
  // The details panel names the open entity; its head gets the entity's actions.
  const head = document.querySelector('#details .details-head');
  const titleEl = document.getElementById('details-title');
  const actions = el('div', { class: 'editor-actions' }, [
    el('button', { type: 'button', class: 'button', id: 'edit-entity', text: 'Edit', on: { click: () => void open('edit', titleEl.textContent) } }),
    el('button', { type: 'button', class: 'button', id: 'duplicate-entity', text: 'Duplicate', on: { click: async () => {
      const res = await fetch(`config/entities/${encodeURIComponent(titleEl.textContent)}`);
      const body = await res.json();
      if (res.ok) void open('create', titleEl.textContent, body.fields); else alertBox(body.error);
    } } }),
    el('button', { type: 'button', class: 'button', id: 'delete-entity', text: 'Delete', on: { click: () => void open('delete', titleEl.textContent) } }),
  ]);
  head?.insertBefore(actions, head.querySelector('.close'));
}
if (session.role === 'admin') {
  tools.prepend(el('button', { type: 'button', class: 'button', id: 'audit', text: 'Audit', on: { click: () => void showAudit(dialog, diffView) } }));
  if (session.writes) {
    const openAdmin = createAdmin({ send, loadSchema });
    tools.prepend(el('button', { type: 'button', class: 'button', id: 'admin', text: 'Admin', title: 'Users and notify settings', on: { click: () => void openAdmin() } }));
  }
}
