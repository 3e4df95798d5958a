// Current announcements above the map (the same ones the status pages show). Plain text only.
import { el, getJson } from './util.js';

export async function showAnnouncements(before, fetchJson = getJson) {
  let list = [];
  try { list = await fetchJson('announcements?current=true'); } catch { return; }
  document.querySelector('.announcements')?.remove();
  if (!list.length) return;
  before.before(el('section', { class: 'announcements', 'aria-label': 'Announcements' }, list.map((a) =>
    el('article', { class: `announcement ${a.severity}` }, [el('strong', { text: a.title }), a.body ? el('span', { text: ` — ${a.body}` }) : null]))));
}
