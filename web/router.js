// Routes in the location hash, so that links, reloads and the back button work:
//   #/              the view that is readable (chosen on first paint)
//   #/overview      one cell per top-level group          → /map.svg?view=overview
//   #/all           the whole map                         → /map.svg?view=all
//   #/problems      what is failing and why               → /map.svg?view=problems
//   #/group/PATH    a group (eu/payments)                 → /map.svg?group=PATH
//   #/range/A..B    groups of one level from A to B       → /map.svg?range=A..B
//   #/focus/NAME    one entity and its neighbourhood      → /map.svg?focus=NAME
//   #NAME           open that entity (the alert link), in the view that shows it
import { el } from './util.js';

/** The route of a hash. */
export function parseHash(hash) {
  const h = decodeURIComponent(hash.replace(/^#/, ''));
  if (h === '' || h === '/') return { kind: 'default' };
  if (!h.startsWith('/')) return { kind: 'entity', name: h };
  const [, first, ...rest] = h.split('/');
  const tail = rest.join('/');
  if (first === 'group') return { kind: 'group', path: tail };
  if (first === 'range' && tail.includes('..')) return { kind: 'range', range: tail };
  if (first === 'focus' && tail) return { kind: 'focus', name: tail };
  if (first === 'overview' || first === 'all' || first === 'problems') return { kind: first };
  return { kind: 'default' };
}

const enc = (text) => text.split('/').map(encodeURIComponent).join('/');

export function hashOf(route) {
  switch (route.kind) {
    case 'group': return `#/group/${enc(route.path)}`;
    case 'range': return `#/range/${enc(route.range)}`;
    case 'focus': return `#/focus/${enc(route.name)}`;
    case 'entity': return `#${encodeURIComponent(route.name)}`;
    case 'default': return '#/';
    default: return `#/${route.kind}`;
  }
}

/** The /map.svg query of a view route. */
export function queryOf(route) {
  switch (route.kind) {
    case 'group': return `?group=${encodeURIComponent(route.path)}`;
    case 'range': return `?range=${encodeURIComponent(route.range)}`;
    case 'focus': return `?focus=${encodeURIComponent(route.name)}`;
    case 'overview': case 'all': case 'problems': return `?view=${route.kind}`;
    default: return '';
  }
}

/** The view route of a `data-view` name (`group:eu`, `focus:db`, `overview`...). */
export function routeOfView(name) {
  if (!name) return { kind: 'default' };
  if (name.startsWith('group:')) return { kind: 'group', path: name.slice(6) };
  if (name.startsWith('range:')) return { kind: 'range', range: name.slice(6) };
  if (name.startsWith('focus:')) return { kind: 'focus', name: name.slice(6) };
  return { kind: name };
}

/**
 * Breadcrumbs of a view (and the entity open in it): Overview › eu › payments › pay_api.
 * `groupOf` gives an entity's group path.
 */
export function crumbs(viewRoute, entity, groupOf) {
  const items = [{ label: 'Overview', route: { kind: 'overview' } }];
  const groupTrail = (path) => {
    if (path === null || path === undefined) return;
    if (path === '') { items.push({ label: 'ungrouped', route: { kind: 'group', path: '' } }); return; }
    const parts = path.split('/');
    parts.forEach((p, i) => items.push({ label: p, route: { kind: 'group', path: parts.slice(0, i + 1).join('/') } }));
  };
  switch (viewRoute.kind) {
    case 'all': items.push({ label: 'Whole map', route: viewRoute }); break;
    case 'problems': items.push({ label: 'Problems', route: viewRoute }); break;
    case 'group': groupTrail(viewRoute.path); break;
    case 'range': {
      // Group names may hold '..': `eu/a..eu/b` splits where both sides share a parent.
      const { range } = viewRoute;
      const parentOf = (p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
      let at = range.indexOf('..');
      for (let i = at; i >= 0; i = range.indexOf('..', i + 1)) if (parentOf(range.slice(0, i)) === parentOf(range.slice(i + 2))) { at = i; break; }
      const first = range.slice(0, at);
      const leafOf = (p) => p.slice(p.lastIndexOf('/') + 1);
      // A range of one group's entities sits in that group; a range of groups in their parent.
      const group = groupOf(first);
      if (typeof group === 'string') groupTrail(group);
      else if (parentOf(first) !== '') groupTrail(parentOf(first));
      items.push({ label: `${leafOf(first)} … ${leafOf(range.slice(at + 2))}`, route: viewRoute });
      break;
    }
    case 'focus': groupTrail(groupOf(viewRoute.name)); items.push({ label: `${viewRoute.name} and its neighbours`, route: viewRoute }); break;
    default: break;
  }
  if (entity && !(viewRoute.kind === 'focus' && viewRoute.name === entity)) items.push({ label: entity, route: { kind: 'entity', name: entity } });
  return items;
}

/** Draws breadcrumbs into a <nav>: links, the last one the current place. */
export function drawCrumbs(nav, items) {
  nav.replaceChildren(el('ol', {}, items.map((item, i) => el('li', {}, [
    i === items.length - 1
      ? el('span', { 'aria-current': 'page', text: item.label })
      : el('a', { href: hashOf(item.route), text: item.label }),
  ]))));
}
