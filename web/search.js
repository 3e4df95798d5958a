// The search box: entity names, groups, targets and extra values; picking a match jumps to it.
import { el } from './util.js';

const MAX_RESULTS = 8;

/** Matches of `q` among the documents, best first: names, then groups, then targets and extra values. */
export function searchDocs(docs, q) {
  const query = q.trim().toLowerCase();
  if (!query) return [];
  const out = [];
  const groups = new Set();
  for (const doc of docs) {
    const name = doc.name.toLowerCase();
    if (name.includes(query)) out.push({ rank: name.startsWith(query) ? 0 : 1, kind: 'entity', name: doc.name, detail: doc.group ?? '' });
    const parts = (doc.group ?? '').split('/');
    parts.forEach((_, i) => { if (doc.group) groups.add(parts.slice(0, i + 1).join('/')); });
    const facts = [doc.target ?? '', ...Object.values(doc.extra ?? {}).map(String)];
    const fact = !name.includes(query) && facts.find((f) => f.toLowerCase().includes(query));
    if (fact) out.push({ rank: 3, kind: 'entity', name: doc.name, detail: fact });
  }
  for (const path of groups) if (path.toLowerCase().includes(query)) out.push({ rank: 2, kind: 'group', name: path, detail: 'group' });
  return out.sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name)).slice(0, MAX_RESULTS);
}

export function createSearch({ input, list, docs, onPick }) {
  let results = [];
  let active = 0;

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  }

  function draw() {
    results = searchDocs(docs(), input.value);
    active = 0;
    list.replaceChildren(...results.map((r, i) => el('li', {
      role: 'option', id: `search-${i}`, 'aria-selected': String(i === active), class: `search-hit ${r.kind}`,
      on: { mousedown: (e) => { e.preventDefault(); pick(r); } },
    }, [el('span', { class: 'hit-name', text: r.name || 'ungrouped' }), el('span', { class: 'muted hit-detail', text: r.detail })])));
    if (!results.length && input.value.trim()) list.replaceChildren(el('li', { class: 'muted search-none', text: 'no match' }));
    list.hidden = !input.value.trim();
    input.setAttribute('aria-expanded', String(!list.hidden));
  }

  function pick(r) {
    close();
    input.value = '';
    onPick(r);
  }

  function move(step) {
    if (!results.length) return;
    active = (active + step + results.length) % results.length;
    list.querySelectorAll('[role=option]').forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    input.setAttribute('aria-activedescendant', `search-${active}`);
  }

  input.addEventListener('input', draw);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Enter' && results[active]) { e.preventDefault(); pick(results[active]); }
    else if (e.key === 'Escape') close();
  });
}
