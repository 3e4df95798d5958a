// Admins' view of notify settings: channels (a form per type, built from the schema), the
// settings of notify itself and each group's channels. Secrets show as written, `${VAR}`; a new
// one must be entered that way, and `<hidden>` (a secret written as plain text) is kept as is.
import { el } from './util.js';
import { buildFields } from './editor-form.js';
import { review } from './review.js';

const dry = (dryRun) => (dryRun ? '?dry_run=1' : '');
const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
const shown = (value) => (Array.isArray(value) ? value.join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

export async function showNotify(container, send, schema) {
  const res = await fetch('admin/notify', { headers: { accept: 'application/json' } });
  const data = await res.json();
  if (!res.ok) return container.replaceChildren(el('p', { class: 'field-error', text: data.error ?? `HTTP ${res.status}` }));
  const { channels, settings, groups, types, etag } = data;
  const box = el('div', { class: 'diff-box', id: 'notify-review', hidden: true });
  const reload = () => showNotify(container, send, schema);
  const change = (method, url, body, onErrors) => review(box, (dryRun) => send(method, `${url}${dry(dryRun)}`, { body, etag }), { done: reload, onErrors });

  // One form for adding or editing a channel, under the list.
  const formBox = el('div', { class: 'channel-form', id: 'channel-form', hidden: true });
  function channelForm(name, values) {
    const nameInput = el('input', { id: 'channel-name', autocomplete: 'off', value: name ?? '', disabled: name !== null });
    const typeSelect = el('select', { id: 'channel-type' }, types.map((t) => el('option', { value: t, text: t })));
    typeSelect.value = values?.type ?? (types.includes(name) ? name : 'telegram');
    const fieldsBox = el('div', { class: 'fields' });
    let form = null;
    const rebuild = () => {
      const keep = form ? form.read() : values ?? {};
      fieldsBox.replaceChildren();
      form = buildFields(schema, typeSelect.value, fieldsBox, keep, { names: [], groups: [], self: null }, schema.$defs[`${typeSelect.value}Channel`]);
    };
    typeSelect.addEventListener('change', rebuild);
    rebuild();
    const submit = el('form', { novalidate: true }, [
      el('h3', { text: name === null ? 'Add a channel' : `Edit ${name}` }),
      el('div', { class: 'field' }, [el('label', { for: 'channel-name', text: 'name' }), nameInput,
        el('p', { class: 'help', text: 'What routes use: notify: [name] on entities and groups.' })]),
      el('div', { class: 'field' }, [el('label', { for: 'channel-type', text: 'type' }), typeSelect]),
      el('p', { class: 'help', text: 'Secrets (tokens, passwords, hook URLs) must be written as ${VAR} references, with VAR set in pulsemap\'s environment.' }),
      fieldsBox,
      el('div', { class: 'editor-buttons' }, [el('button', { type: 'submit', class: 'button primary', id: 'channel-review', text: 'Review the change' })]),
    ]);
    submit.addEventListener('submit', (event) => {
      event.preventDefault();
      const target = nameInput.value.trim();
      void change('PUT', `admin/notify/channels/${encodeURIComponent(target)}`, form.read(), (errors) => form.showErrors(errors, `/notify/${target}`));
    });
    formBox.replaceChildren(submit);
    formBox.hidden = false;
    (name === null ? nameInput : typeSelect).focus();
  }

  const rows = Object.entries(channels).map(([name, fields]) => el('tr', { 'data-channel': name }, [
    el('td', { text: name }),
    el('td', { text: fields.type ?? name }),
    el('td', { class: 'fields-text', text: Object.entries(fields).filter(([k]) => k !== 'type').map(([k, v]) => `${k}: ${shown(v)}`).join('\n') }),
    el('td', {}, [
      el('button', { type: 'button', class: 'button', text: 'Edit', on: { click: () => channelForm(name, fields) } }),
      el('button', { type: 'button', class: 'button', text: 'Delete', on: { click: () => void change('DELETE', `admin/notify/channels/${encodeURIComponent(name)}`) } }),
    ]),
  ]));

  // notify.default and friends: empty means the default.
  const defaults = el('input', { id: 'notify-default', value: shown(settings.default ?? ''), placeholder: 'every channel' });
  const reminder = el('input', { id: 'notify-reminder', inputmode: 'numeric', value: settings.reminder ?? '', placeholder: '0 (none)' });
  const settingsForm = el('form', { class: 'inline-form', id: 'notify-settings' }, [
    el('label', { for: 'notify-default', text: 'default' }), defaults,
    el('label', { for: 'notify-reminder', text: 'reminder (s)' }), reminder,
    el('button', { type: 'submit', class: 'button primary', text: 'Review' }),
  ]);
  settingsForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const r = reminder.value.trim();
    void change('PATCH', 'admin/notify/settings', { default: list(defaults.value).length > 0 ? list(defaults.value) : null, reminder: r === '' ? null : Number(r) });
  });

  const groupRow = (path, value) => {
    const pathInput = el('input', { value: path, 'aria-label': 'group path', disabled: path !== '', placeholder: 'eu/payments' });
    const channelsInput = el('input', { value: shown(value ?? ''), 'aria-label': `channels of ${path || 'the new group'}`, placeholder: 'ops, dba' });
    const url = () => `admin/notify/groups/${pathInput.value.trim().split('/').map(encodeURIComponent).join('/')}`;
    return el('tr', { 'data-group': path }, [el('td', {}, [pathInput]), el('td', {}, [channelsInput]), el('td', {}, [
      el('button', { type: 'button', class: 'button', text: 'Review', on: { click: () => void change('PUT', url(), { notify: list(channelsInput.value) }) } }),
      path ? el('button', { type: 'button', class: 'button', text: 'Remove', on: { click: () => void change('PUT', url(), { notify: null }) } }) : null,
    ])]);
  };

  container.replaceChildren(
    el('table', { class: 'admin-table', id: 'channels' }, [
      el('thead', {}, [el('tr', {}, ['Channel', 'Type', 'Settings', ''].map((h) => el('th', { scope: 'col', text: h })))]),
      el('tbody', {}, rows),
    ]),
    el('div', { class: 'editor-buttons' }, [el('button', { type: 'button', class: 'button', id: 'add-channel', text: 'Add channel', on: { click: () => channelForm(null, null) } })]),
    formBox,
    el('h3', { text: 'Settings' }),
    el('p', { class: 'help', text: 'default: channels for entities and groups that name none (empty: every channel). reminder: seconds between reminders while in error.' }),
    settingsForm,
    el('h3', { text: 'Channels per group' }),
    el('table', { class: 'admin-table', id: 'group-routes' }, [el('tbody', {}, [...Object.entries(groups).map(([p, v]) => groupRow(p, v)), groupRow('', null)])]),
    box,
  );
}
