// A form for one entity type, built from the JSON Schema: one field per property, with the
// schema's description as help and its "Default: ..." as the placeholder. Reads and writes the
// entity's fields as written in entities.yaml (`${VAR}` kept).
import { el } from './util.js';

const DEFAULT = /Default: ([^.]+(?:\.\d+)?[^.]*)\.?$/;

/** The property schema with `$ref`s followed. */
function resolve(schema, node) {
  let out = node;
  while (out && out.$ref) {
    const target = out.$ref.replace('#/', '').split('/').reduce((o, k) => o?.[k], schema);
    const { $ref: _ref, ...rest } = out;
    out = { ...target, ...rest };
  }
  return out ?? {};
}

function kindOf(prop) {
  const types = [prop.type].flat().filter(Boolean);
  if (prop.enum) return 'enum';
  if (types.includes('boolean')) return 'boolean';
  if (prop.type === 'object' && prop.properties) return 'group';
  if (prop.type === 'object') return 'map';
  if (prop.type === 'array' || prop.anyOf || prop.oneOf || types.length > 1) return 'list';
  if (types.includes('number') || types.includes('integer')) return 'number';
  return 'text';
}

/** `200`, `200, 204`, `a, b`: one value or a list; numbers where they read as numbers. */
function parseList(text, alwaysList) {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s));
  return !alwaysList && parts.length === 1 ? parts[0] : parts;
}

function showList(value) {
  return Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
}

/** `key: value` lines <-> a flat map. */
function parseMap(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (line.trim() === '' || i < 1) continue;
    const raw = line.slice(i + 1).trim();
    out[line.slice(0, i).trim()] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

function showMap(value) {
  return value && typeof value === 'object' ? Object.entries(value).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('\n') : '';
}

/**
 * Builds the fields of `type` into `container`; returns { read(), showErrors(errors, base) }.
 * `context`: { names: [...existing entity names], groups: [...], self: name }.
 * `definition`: the schema branch, when it is not `$defs[type]` (a channel's is `$defs.slackChannel`).
 */
export function buildFields(schema, type, container, values, context, definition = schema.$defs[type]) {
  const branch = resolve(schema, definition);
  const inputs = [];
  const idBase = `f-${Math.random().toString(36).slice(2, 8)}`;

  function field(path, prop, value, parent) {
    prop = resolve(schema, prop);
    const name = path[path.length - 1];
    const id = `${idBase}-${path.join('-')}`;
    const kind = name === 'dependencies' ? 'deps' : kindOf(prop);
    const help = prop.description ?? '';
    const fallback = DEFAULT.exec(help)?.[1] ?? '';
    const wrap = el('div', { class: `field field-${kind}`, 'data-path': path.join('/') });
    const label = el('label', { for: id, text: name });
    const error = el('p', { class: 'field-error', hidden: true, role: 'alert' });
    let input;
    let read;
    if (kind === 'group') {
      const set = el('fieldset', { class: 'field-group' }, [el('legend', { text: name }), el('p', { class: 'help', text: help })]);
      const nested = Object.entries(prop.properties).map(([k, p]) => field([...path, k], p, value?.[k], set));
      parent.append(set);
      const readGroup = () => {
        const out = {};
        for (const n of nested) { const v = n.read(); if (v !== undefined) out[n.name] = v; }
        return Object.keys(out).length > 0 ? out : undefined;
      };
      const entry = { name, path, read: readGroup, error: el('p', { class: 'field-error', hidden: true }), nested };
      set.append(entry.error);
      inputs.push(entry);
      return entry;
    }
    if (kind === 'deps') {
      input = el('select', { id, multiple: true, size: Math.min(6, Math.max(2, context.names.length)) });
      for (const n of context.names) if (n !== context.self) input.append(el('option', { value: n, text: n, selected: (value ?? []).includes(n) }));
      read = () => { const chosen = [...input.selectedOptions].map((o) => o.value); return chosen.length > 0 ? chosen : undefined; };
    } else if (kind === 'enum' || kind === 'boolean') {
      const options = kind === 'enum' ? prop.enum : [true, false];
      input = el('select', { id }, [el('option', { value: '', text: fallback ? `default (${fallback})` : '—' }),
        ...options.map((o) => el('option', { value: String(o), text: String(o), selected: value !== undefined && String(value) === String(o) }))]);
      read = () => (input.value === '' ? undefined : kind === 'boolean' ? input.value === 'true' : input.value);
    } else if (kind === 'map') {
      input = el('textarea', { id, rows: 2, placeholder: 'key: value (one per line)' });
      input.value = showMap(value);
      read = () => { const m = parseMap(input.value); return Object.keys(m).length > 0 ? m : undefined; };
    } else if (kind === 'list') {
      input = el('input', { id, placeholder: fallback || 'one value, or several separated by commas' });
      input.value = showList(value);
      read = () => (input.value.trim() === '' ? undefined : parseList(input.value, prop.type === 'array'));
    } else {
      input = el('input', { id, placeholder: fallback, inputmode: kind === 'number' ? 'decimal' : undefined, list: name === 'group' ? 'editor-groups' : undefined });
      input.value = value === undefined || value === null ? '' : String(value);
      read = () => {
        const text = input.value.trim();
        if (text === '') return undefined;
        return kind === 'number' && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
      };
    }
    wrap.append(label, input, el('p', { class: 'help', text: help }), error);
    parent.append(wrap);
    const entry = { name, path, read, error, input };
    inputs.push(entry);
    return entry;
  }

  const top = Object.entries(branch.properties ?? {}).filter(([k]) => k !== 'type').map(([k, p]) => field([k], p, values?.[k], container));
  container.append(el('datalist', { id: 'editor-groups' }, context.groups.map((g) => el('option', { value: g }))));

  return {
    read() {
      const out = { type };
      for (const f of top) { const v = f.read(); if (v !== undefined) out[f.name] = v; }
      return out;
    },
    /** Puts each error next to its field; returns the ones no field claimed. */
    showErrors(errors, prefix) {
      for (const f of inputs) { f.error.hidden = true; f.error.textContent = ''; }
      const rest = [];
      for (const e of errors) {
        const rel = e.path.startsWith(prefix) ? e.path.slice(prefix.length).replace(/^\//, '').split('/') : null;
        let target = null;
        for (let n = rel ? rel.length : 0; n > 0 && !target; n--) target = inputs.find((f) => f.path.join('/') === rel.slice(0, n).join('/'));
        if (!target) { rest.push(e); continue; }
        target.error.textContent = target.error.textContent ? `${target.error.textContent}; ${e.message}` : e.message;
        target.error.hidden = false;
      }
      return rest;
    },
  };
}
