// A made-up view for the layout process to lay out and forget as soon as it starts: the first
// layout of a process pays for compiling nomnoml's (and dagre's) code, and a small view does not
// reach the code paths a view of a hundred cells takes. Shaped like a group view: clusters of
// services on their database and a shared core, a few stubs and group cells, edges between them.
// Pure.
import { groupCell, stubCell } from './cells.ts';
import type { Cell } from './cells.ts';
import { mapSource } from './source.ts';
import type { LayoutJob, MapEdge, MapNode } from './source.ts';

/** Cells of the made-up view: about the size of the largest views the layout process gets. */
export const WARM_UP_CELLS = 128;

const SERVICES = 14;

function serviceCell(name: string): Cell {
  return [[{ text: name, slot: name }], [{ text: 'api · 12 ms · 200', slot: 'api · 0000 ms · 000' }], [{ text: 'owner: team', slot: 'owner: team' }]];
}

export function warmUpJob(cells = WARM_UP_CELLS): LayoutJob {
  const nodes: MapNode[] = [];
  const edges: MapEdge[] = [];
  const add = (kind: MapNode['kind'], name: string, cell: Cell): string => {
    const id = `n${nodes.length + 1}`;
    nodes.push({ id, kind, key: kind === 'group' ? `group:${name}` : name, name, status: 'ok', cell });
    return id;
  };
  const core = add('entity', 'warm-core', serviceCell('warm-core'));
  const outside = [add('stub', 'warm-stub-a', stubCell('warm-stub-a')), add('group', 'warm/other', groupCell('other', { error: 0, blocked: 0, pending: 0, degraded: 0, maintenance: 0, ok: 40, unknown: 0 }))];
  edges.push({ from: core, to: outside[0]! });
  for (let c = 0; nodes.length < cells; c++) {
    const db = add('entity', `warm-db-${c}`, serviceCell(`warm-db-${c}`));
    edges.push({ from: db, to: outside[c % 2]!, ...(c % 2 ? { label: `${c + 2} deps` } : {}) });
    for (let s = 0; s < SERVICES && nodes.length < cells; s++) {
      const id = add('entity', `warm-${c}-${s}`, serviceCell(`warm-${c}-${s}`));
      edges.push({ from: id, to: db });
      if (s % 3 === 0) edges.push({ from: id, to: core });
      if (s === 5 && c > 0) edges.push({ from: id, to: `n${nodes.length - SERVICES - 2}` });
    }
  }
  return mapSource({ title: 'warm-up', view: 'warm-up', nodes, groups: [], edges }, 'layout');
}
