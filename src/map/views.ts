// The views of the map, each a small graph laid out on its own: the overview (a cell per
// top-level group), a group (its entities, its subgroups as cells, outside neighbours as stubs),
// a range (the groups of one level, or the entities of one group, from one name to another), a
// focus (one entity, its dependencies down to the roots, its dependents) and the problems. Every
// view decides which unit each entity is drawn as; edges between units are aggregated. A level
// with more groups (or a group with more entities) than a view draws readably collects them into
// range cells (plan.ts, ranges.ts). Pure.
import type { Entity, EntityState, Status } from '../types.ts';
import { STATUSES } from '../types.ts';
import { initialState } from '../monitor/state.ts';
import { blockedCell, buildCell, groupCell, noteCell, rangeCell, stubCell, worstStatus } from './cells.ts';
import type { Cell } from './cells.ts';
import { childOf, leaf, reach, within } from './graph.ts';
import type { MapGraph } from './graph.ts';
import { buildMap } from './source.ts';
import type { MapEdge, MapModel, MapNode, NodeKind, StateLookup } from './source.ts';
import { byName, levelBudget, overlaps, parseSpan } from './ranges.ts';
import { entityLevel, groupKey, levelOf, newPlan, put } from './plan.ts';
import type { Add, Place, Plan, Unit, UnitKind } from './plan.ts';
import { ViewError, viewName } from './view.ts';
import type { ViewSpec } from './view.ts';

/** The most cells a view draws before it collapses what it can into group cells. */
export const MAX_CELLS = 300;
/** Ungrouped entities the overview draws as themselves; more go into one cell. */
export const MAX_LOOSE = 24;
/** Blocked entities of one group the problems view draws one by one; more become a count. */
export const MAX_BLOCKED_SHOWN = 3;
/** The path of the cell that collects ungrouped entities. */
export const UNGROUPED = '';

const groupLabel = (path: string): string => (path === UNGROUPED ? 'ungrouped' : leaf(path));

/** The cell a top-level group is drawn in by the overview: its own, or a range. */
function topLevel(graph: MapGraph): (group: string) => Place {
  const loose = graph.config.entities.filter((e) => e.group === null).length;
  return levelOf(graph, UNGROUPED, null, levelBudget(graph.config, MAX_CELLS) - (loose <= MAX_LOOSE ? loose : 1));
}

function overview(graph: MapGraph): Plan {
  const plan = newPlan();
  const loose = graph.config.entities.filter((e) => e.group === null);
  const cellOf = topLevel(graph);
  for (const e of graph.config.entities) {
    if (e.group !== null) put(plan, cellOf(e.group), e.name);
    else if (loose.length <= MAX_LOOSE) plan.add('entity', e.name, e.name, e.name);
    else plan.add('group', groupKey(UNGROUPED), UNGROUPED, e.name);
  }
  return plan;
}

/**
 * Where an outside neighbour of `path` is drawn: as a stub while there are few, else inside the
 * cell of the group that holds it, seen from the nearest common ancestor.
 */
function outsideUnit(path: string, group: string | null, collapse: boolean, top: () => (group: string) => Place): Place | null {
  if (!collapse) return null;
  if (group === null) return ['group', groupKey(UNGROUPED), UNGROUPED];
  const parts = path.split('/');
  const theirs = group.split('/');
  let common = 0;
  while (common < parts.length && parts[common] === theirs[common]) common += 1;
  // Another top-level group: the overview's cell for it (a range when there are many).
  if (common === 0) return top()(group);
  const target = theirs.slice(0, common + 1).join('/');
  return ['group', groupKey(target), target];
}

function groupView(graph: MapGraph, path: string): Plan {
  const inside = (name: string): boolean => {
    const g = graph.byName.get(name)!.group;
    return path === UNGROUPED ? g === null : within(g, path);
  };
  if (path !== UNGROUPED && !graph.groups.has(path)) throw new ViewError(404, `no group '${path}'`);
  const plan = newPlan((from, to) => inside(from) || inside(to));
  const isOwn = (e: Entity): boolean => e.group === null || path === UNGROUPED || e.group === path;
  const own = graph.config.entities.filter((e) => inside(e.name) && isOwn(e)).map((e) => e.name);
  const subgroups = new Set(graph.config.entities.filter((e) => inside(e.name) && !isOwn(e)).map((e) => childOf(path, e.group!))).size;
  // Own entities and subgroups share the budget; past it, each side gets at least half of it.
  // Inside a group the budget is the most a view draws, not the overview's readable one: a
  // cluster of a hundred services is drawn as a hundred cells.
  const budget = MAX_CELLS;
  const entityRoom = own.length + subgroups <= budget ? own.length : Math.max(2, budget - Math.min(subgroups, Math.floor(budget / 2)));
  const entityOf = entityLevel(own, entityRoom);
  const cellOf = path === UNGROUPED ? null : levelOf(graph, path, null, budget - Math.min(own.length, entityRoom));
  return withOutside(graph, path, plan, inside, (e) => {
    if (isOwn(e)) put(plan, entityOf(e.name), e.name);
    else put(plan, cellOf!(e.group!), e.name);
  });
}

/** Places every entity `inside` (by `place`), then the entities outside that they are tied to. */
function withOutside(graph: MapGraph, path: string, plan: Plan & { add: Add }, inside: (name: string) => boolean,
  place: (e: MapGraph['config']['entities'][number]) => void, outsideUnitOf?: (name: string) => Unit | undefined): Plan {
  const outside = new Set<string>();
  for (const e of graph.config.entities) {
    if (!inside(e.name)) continue;
    place(e);
    for (const n of [...graph.deps.get(e.name)!, ...graph.dependents.get(e.name)!]) if (!inside(n)) outside.add(n);
  }
  const collapse = plan.units.size + outside.size > MAX_CELLS || outside.size > 40;
  let top: ((group: string) => Place) | null = null;
  for (const name of outside) {
    const theirs = outsideUnitOf?.(name);
    if (theirs) { plan.add(theirs.kind, theirs.key, theirs.name, name, theirs.label, theirs.groups); continue; }
    const unit = outsideUnit(path, graph.byName.get(name)!.group, collapse, () => (top ??= topLevel(graph)));
    if (unit) put(plan, unit, name);
    else plan.add('stub', name, name, name);
  }
  return plan;
}

/** What `?range=` names: groups of one level, or the own entities of one group ('' for ungrouped). */
function resolveRange(graph: MapGraph, text: string): { kind: 'groups' | 'entities'; parent: string; first: string; last: string } | null {
  const groups = parseSpan(text, (p) => graph.groups.has(p));
  if (groups) return { kind: 'groups', ...groups };
  const entities = parseSpan(text, (n) => graph.byName.has(n), (n) => graph.byName.get(n)!.group ?? UNGROUPED);
  return entities && { kind: 'entities', ...entities };
}

/**
 * The groups of one level (or the entities of one group) from FIRST to LAST as cells, ranged
 * again if still too many, and the entities outside them they are tied to, drawn as the cells
 * the view above draws them in.
 */
function rangeView(graph: MapGraph, text: string): Plan {
  const span = resolveRange(graph, text);
  if (!span) throw new ViewError(404, `no range '${text}' (FIRST..LAST: two groups of one level, or two entities of one group)`);
  const { kind, parent, first, last } = span;
  const inRange = (name: string): boolean => byName(first, name) <= 0 && byName(name, last) <= 0;
  const inside = (name: string): boolean => {
    const g = graph.byName.get(name)!.group;
    if (kind === 'entities') return (g ?? UNGROUPED) === parent && inRange(name);
    const child = g === null ? null : childOf(parent, g);
    return child !== null && inRange(child);
  };
  const above = kind === 'groups' && parent === UNGROUPED ? overview(graph) : groupView(graph, parent);
  const plan = newPlan((from, to) => inside(from) || inside(to));
  // Top-level groups as the overview ranges them; inside a group, as a group view does.
  const budget = kind === 'groups' && parent === UNGROUPED ? levelBudget(graph.config, MAX_CELLS) : MAX_CELLS;
  const cellOf = kind === 'groups'
    ? levelOf(graph, parent, inRange, budget)
    : entityLevel(graph.config.entities.filter((e) => inside(e.name)).map((e) => e.name), budget);
  return withOutside(graph, parent, plan, inside, (e) => put(plan, cellOf(kind === 'groups' ? e.group! : e.name), e.name), (name) => {
    const key = above.unitOf.get(name);
    const unit = key === undefined ? undefined : above.units.get(key);
    // A range of the view above that overlaps this one would be named after cells drawn here:
    // the neighbour's own group (or itself) instead.
    if (unit?.kind !== 'range') return unit;
    const theirs = resolveRange(graph, unit.name);
    if (!theirs || theirs.kind !== kind || theirs.parent !== parent || !overlaps(theirs, span)) return unit;
    if (kind === 'entities') return { kind: 'entity', key: name, name, members: [] };
    const child = childOf(parent, graph.byName.get(name)!.group!)!;
    return { kind: 'group', key: groupKey(child), name: child, members: [] };
  });
}

function focusView(graph: MapGraph, name: string): Plan {
  if (!graph.byName.has(name)) throw new ViewError(404, `no entity '${name}'`);
  const plan = newPlan();
  const below = reach(name, graph.deps);
  const direct = graph.dependents.get(name)!;
  const above = reach(name, graph.dependents, MAX_CELLS);
  const shown = new Set([name, ...below, ...direct]);
  const room = MAX_CELLS - shown.size;
  const all = above.length < MAX_CELLS && above.length <= room + direct.length;
  for (const n of [name, ...below, ...(all ? above : direct)]) plan.add('entity', n, n, n);
  if (!all) {
    // Too many dependents further up: each top-level group of them becomes one cell (or its
    // range, when there are many).
    const top = topLevel(graph);
    for (const n of reach(name, graph.dependents)) {
      if (plan.unitOf.has(n)) continue;
      const g = graph.byName.get(n)!.group;
      if (g === null) plan.add('group', groupKey(UNGROUPED), UNGROUPED, n);
      else put(plan, top(g), n);
    }
  }
  return plan;
}

function problemsView(graph: MapGraph, stateOf: (name: string) => EntityState): Plan {
  const plan = newPlan();
  const blocked = new Map<string, string[]>();
  for (const e of graph.config.entities) {
    const status = stateOf(e.name).status;
    if (status === 'ok' || status === 'unknown') continue;
    if (status !== 'blocked') { plan.add('entity', e.name, e.name, e.name); continue; }
    const key = e.group ?? UNGROUPED;
    blocked.set(key, [...(blocked.get(key) ?? []), e.name]);
  }
  for (const [group, names] of blocked) {
    for (const n of names) {
      if (names.length <= MAX_BLOCKED_SHOWN) plan.add('entity', n, n, n);
      else plan.add('blocked', `blocked:${group}`, group, n, group === UNGROUPED ? 'ungrouped' : group);
    }
  }
  if (plan.units.size === 0) return { ...plan, note: 'No problems: nothing is failing' };
  return plan;
}

const NODE_KIND: Readonly<Record<UnitKind, NodeKind>> = { entity: 'entity', stub: 'stub', group: 'group', range: 'range', blocked: 'group' };

/**
 * Status counts of a view's group cells, kept as statuses change (countTransition) rather than
 * recounted from every member on each repaint: a cell of the overview at 20,000 entities holds
 * a thousand members or more.
 */
interface Tally {
  /** Member of a group cell -> that cell's key. */
  readonly unitOf: Map<string, string>;
  /** The status each member is counted as. */
  readonly counted: Map<string, Status>;
  readonly counts: Map<string, Record<Status, number>>;
}

function tallyOf(units: readonly Unit[], statusOf: (name: string) => Status): Tally {
  const tally: Tally = { unitOf: new Map(), counted: new Map(), counts: new Map() };
  for (const unit of units) {
    if (unit.kind !== 'group' && unit.kind !== 'range') continue;
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const n of unit.members) {
      const status = statusOf(n);
      counts[status] += 1;
      tally.unitOf.set(n, unit.key);
      tally.counted.set(n, status);
    }
    tally.counts.set(unit.key, counts);
  }
  return tally;
}

/** Moves one entity to its new status in the counts of a kept structure. */
export function countTransition(structure: Structure, name: string, status: Status): void {
  const { tally } = structure;
  const unit = tally.unitOf.get(name);
  const was = tally.counted.get(name);
  if (unit === undefined || was === undefined || was === status) return;
  const counts = tally.counts.get(unit)!;
  counts[was] -= 1;
  counts[status] += 1;
  tally.counted.set(name, status);
}

/** What a view draws, apart from statuses: its units and the edges between them with their counts. */
export interface Structure {
  readonly units: readonly Unit[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly count: number }[];
  readonly note?: string;
  readonly tally: Tally;
}

/** Dependency edges between units, one per pair with its count. */
function structureOf(graph: MapGraph, plan: Plan, statusOf: (name: string) => Status): Structure {
  // By unit keys, which are user text (a group path may hold any character): no joined strings.
  const counts = new Map<string, Map<string, number>>();
  for (const [from, fromUnit] of plan.unitOf) {
    for (const to of graph.deps.get(from)!) {
      const toUnit = plan.unitOf.get(to);
      if (toUnit === undefined || toUnit === fromUnit || (plan.keep && !plan.keep(from, to))) continue;
      let row = counts.get(fromUnit);
      if (!row) counts.set(fromUnit, (row = new Map()));
      row.set(toUnit, (row.get(toUnit) ?? 0) + 1);
    }
  }
  const edges = [...counts].flatMap(([from, row]) => [...row].map(([to, count]) => ({ from, to, count })));
  const units = [...plan.units.values()];
  return { units, edges, ...(plan.note ? { note: plan.note } : {}), tally: tallyOf(units, statusOf) };
}

/** Units -> nodes with cells coloured by the live states. */
function paint(graph: MapGraph, structure: Structure, view: string, stateOf: (name: string) => EntityState): MapModel {
  const ids = new Map<string, string>();
  const nodes: MapNode[] = [];
  for (const unit of structure.units) {
    const id = `n${nodes.length + 1}`;
    ids.set(unit.key, id);
    let cell: Cell;
    let status: Status;
    if (unit.kind === 'entity' || unit.kind === 'stub') {
      const state = stateOf(unit.name);
      status = state.status;
      cell = unit.kind === 'stub' ? stubCell(unit.name) : buildCell(graph.byName.get(unit.name)!, state, reach(unit.name, graph.deps));
    } else {
      const counts = structure.tally.counts.get(unit.key);
      status = counts ? worstStatus(counts) : 'blocked';
      cell = !counts ? blockedCell(unit.label ?? groupLabel(unit.name), unit.members.length)
        : unit.kind === 'range' ? rangeCell(unit.label!, unit.groups!, counts)
          : groupCell(groupLabel(unit.name), counts);
    }
    nodes.push({ id, kind: NODE_KIND[unit.kind], key: unit.key, name: unit.name, status, cell });
  }
  if (structure.note) nodes.push({ id: 'n0', kind: 'note', key: 'note', name: '', status: 'unknown', cell: noteCell(structure.note) });
  const edges: MapEdge[] = structure.edges.map((e) => ({ from: ids.get(e.from)!, to: ids.get(e.to)!, ...(e.count > 1 ? { label: `${e.count} deps` } : {}) }));
  return { title: graph.config.title, view, nodes, groups: [], edges };
}

/**
 * The model of one view. Throws ViewError (404) for a group or entity that does not exist.
 * `structures` keeps what a view draws for this graph (all views but problems depend on the
 * configuration alone), so a status change only repaints.
 */
export function buildView(graph: MapGraph, lookup: StateLookup, spec: ViewSpec, structures?: Map<string, Structure>): MapModel {
  const stateOf = (name: string): EntityState => lookup(name) ?? initialState(name);
  if (spec.kind === 'all') return buildMap(graph.config, lookup);
  const name = viewName(spec);
  let structure = structures?.get(name);
  if (!structure) {
    const plan = spec.kind === 'overview' ? overview(graph)
      : spec.kind === 'group' ? groupView(graph, spec.path)
        : spec.kind === 'range' ? rangeView(graph, spec.range)
          : spec.kind === 'focus' ? focusView(graph, spec.name)
            : problemsView(graph, stateOf);
    structure = structureOf(graph, plan, (n) => stateOf(n).status);
    if (spec.kind !== 'problems') structures?.set(name, structure);
  }
  return paint(graph, structure, name, stateOf);
}
