// Range cells: a level with more groups than the readable budget is drawn as runs of groups in
// name order; the cell count stays within the budget at 2,000 and 20,000 groups, the counts add
// up, edges are aggregated, a failing group colours its range (the cells never depend on
// statuses), and a range opens. Inside a group the budget is the most a view draws. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexGraph } from '../../src/map/graph.ts';
import type { MapGraph } from '../../src/map/graph.ts';
import { buildView, countTransition, MAX_CELLS } from '../../src/map/views.ts';
import type { Structure } from '../../src/map/views.ts';
import { byName, levelBudget, parseSpan, partition } from '../../src/map/ranges.ts';
import type { Part } from '../../src/map/ranges.ts';
import { parseViewQuery, ViewError } from '../../src/map/view.ts';
import type { ViewSpec } from '../../src/map/view.ts';
import { mapSource } from '../../src/map/source.ts';
import type { MapModel, MapNode } from '../../src/map/source.ts';
import type { Entity, Status } from '../../src/types.ts';
import { configOf, pingEntity } from '../helpers/entities.ts';
import { stateOf } from './helpers.ts';

const BUDGET = 60; // map.max_entities of configOf

const names = (n: number, prefix = 'api-'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
const flat = (parts: Part[]): string[] => parts.flatMap((p) => (typeof p === 'string' ? [p] : p.groups));

test('partition: groups that fit are cells; else at most `room` cells of near-equal runs, in order', () => {
  const cases: { name: string; groups: number; room: number }[] = [
    { name: 'fits', groups: 10, room: 10 },
    { name: 'one too many', groups: 61, room: 60 },
    { name: 'thousands', groups: 2000, room: 60 },
    { name: 'the fewest', groups: 2000, room: 12 },
    { name: 'tiny room', groups: 5, room: 2 },
  ];
  for (const c of cases) {
    const groups = names(c.groups);
    const parts = partition(groups, c.room);
    assert.ok(parts.length <= c.room, `${c.name}: ${parts.length} cells for room ${c.room}`);
    if (c.groups <= c.room) assert.deepEqual(parts, groups, `${c.name}: each group its own cell`);
    else assert.ok(parts.length <= Math.ceil(c.groups / Math.ceil(c.groups / c.room)), `${c.name}: as few cells as runs of that size allow`);
    assert.deepEqual(flat(parts), groups, `${c.name}: every group once, in name order`);
    const sizes = parts.map((p) => (typeof p === 'string' ? 1 : p.groups.length));
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${c.name}: runs of near-equal size (${Math.min(...sizes)}-${Math.max(...sizes)})`);
    for (const p of parts) if (typeof p !== 'string') assert.ok(p.groups.length > 1 && p.first === p.groups[0] && p.last === p.groups.at(-1));
  }
});

test('groups are in natural order, whatever the locale', () => {
  assert.deepEqual(['vds_10', 'vds_2', 'vds_1', 'vds_100', 'b10', 'b2c10', 'b2c9', 'vds_01', ''].sort(byName),
    ['', 'b2c9', 'b2c10', 'b10', 'vds_1', 'vds_01', 'vds_2', 'vds_10', 'vds_100']);
  const graph = indexGraph(configOf(Array.from({ length: 100 }, (_, g) => pingEntity(`e${g}`, [], { group: `vds_${g}` }))));
  const first = build(graph, { kind: 'overview' }).nodes[0]!;
  assert.match(first.name, /^vds_0\.\.vds_\d$/, 'vds_0 … vds_7, not vds_0 … vds_16');
});

test('a range names two groups of one level; group names may hold ".." themselves', () => {
  const known = new Set(['a..b', 'c', 'eu', 'eu/x', 'eu/y', 'us/z']);
  const has = (p: string): boolean => known.has(p);
  assert.deepEqual(parseSpan('a..b..c', has), { parent: '', first: 'a..b', last: 'c' });
  assert.deepEqual(parseSpan('eu/x..eu/y', has), { parent: 'eu', first: 'eu/x', last: 'eu/y' });
  assert.equal(parseSpan('eu/x..us/z', has), null, 'two levels');
  assert.equal(parseSpan('c..a..b', has), null, 'out of order');
  assert.equal(parseSpan('nope..c', has), null);
  assert.deepEqual(parseViewQuery({ range: 'a..b' }), { kind: 'range', range: 'a..b' });
  for (const q of [{ range: 'ab' }, { range: 'a..b', group: 'eu' }]) {
    assert.throws(() => parseViewQuery(q), (err: unknown) => err instanceof ViewError && err.status === 400);
  }
  assert.equal(levelBudget(configOf([], { map: { max_entities: 4 } }), 300), 12, 'never fewer than a dozen cells');
  assert.equal(levelBudget(configOf([], { map: { max_entities: 5000 } }), 300), 300, 'never more than a view draws');
});

/**
 * `groups` groups of `per` entities: each entity depends on the first entity of its group, that
 * one on the first entity of the group before (a chain across groups, some crossing ranges).
 */
function estate(groups: number, per: number, group?: (g: number) => string): Entity[] {
  const all = names(groups);
  group ??= (g) => all[g]!;
  const out: Entity[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < per; i++) {
      const deps = i > 0 ? [`e${g}_0`] : g > 0 ? [`e${g - 1}_0`] : [];
      out.push(pingEntity(`e${g}_${i}`, deps, { group: group(g) }));
    }
  }
  return out;
}

function build(graph: MapGraph, spec: ViewSpec, statuses: ReadonlyMap<string, Status> = new Map(), structures?: Map<string, Structure>): MapModel {
  return buildView(graph, (n) => stateOf(n, { status: statuses.get(n) ?? 'ok', ...(statuses.get(n) === 'error' ? { message: 'connection refused' } : {}) }), spec, structures);
}

const total = (n: MapNode): number => Number(/(\d+) (?:entities|entity)/.exec(n.cell[1]!.map((l) => l.text).join(' '))![1]);
const groupsIn = (n: MapNode): number => (n.kind === 'range' ? Number(/^(\d+) groups/.exec(n.cell[1]![0]!.text)![1]) : 1);

for (const [groups, per] of [[2000, 10], [20000, 1]] as const) {
  test(`overview of ${groups} groups (${groups * per} entities): within the budget, counts add up, a failing group's range is red, edges aggregated`, () => {
    const graph = indexGraph(configOf(estate(groups, per)));
    const failing = `e${Math.floor(groups / 3)}_0`;
    const statuses = new Map<string, Status>([[failing, 'error']]);
    const model = build(graph, { kind: 'overview' }, statuses);
    const cells = model.nodes;
    assert.ok(cells.length <= BUDGET, `${cells.length} cells`);
    assert.ok(cells.some((n) => n.kind === 'range'));
    assert.equal(cells.reduce((n, c) => n + total(c), 0), groups * per, 'every entity counted once');
    assert.equal(cells.reduce((n, c) => n + groupsIn(c), 0), groups, 'every group in one cell');
    const failingGroup = names(groups)[Math.floor(groups / 3)]!;
    const holder = cells.find((n) => n.kind === 'range' && byName(n.name.split('..')[0]!, failingGroup) <= 0 && byName(failingGroup, n.name.split('..')[1]!) <= 0);
    assert.equal(holder?.status, 'error', 'the range holding the failing group takes its colour');
    assert.deepEqual(cells.filter((n) => n.status === 'error').map((n) => n.id), [holder!.id], 'and no other cell is red');
    assert.match(holder!.cell[1]!.map((l) => l.text).join(' '), /1 error/, 'its counts say so');
    // The chain runs through every range: one edge per pair of neighbouring cells.
    assert.equal(model.edges.length, cells.length - 1);
    const ids = new Map(cells.map((n, i) => [n.id, i]));
    for (const e of model.edges) assert.equal(ids.get(e.from)! - ids.get(e.to)!, 1);

    // A range opens into its groups (ranged again while still too many), each drawn once.
    const range = cells.find((n) => n.kind === 'range')!;
    const inside = build(graph, { kind: 'range', range: range.name }, statuses);
    assert.equal(inside.view, `range:${range.name}`);
    const [first, last] = range.name.split('..') as [string, string];
    const within = (n: MapNode): boolean => { const [a, b = a] = n.name.split('..') as [string, string?]; return a >= first && b! <= last; };
    const drawnInside = inside.nodes.filter(within);
    assert.ok(drawnInside.length <= BUDGET, `${drawnInside.length} cells inside`);
    assert.equal(drawnInside.reduce((n, c) => n + groupsIn(c), 0), groupsIn(range), 'every group of the range once');
    // Neighbours outside it: drawn as the level above draws them, or by their own group next to it.
    assert.ok(inside.nodes.filter((n) => !within(n)).every((n) => n.kind === 'group' || n.name.split('..')[0]! > last || n.name.split('..')[1]! < first));
    if (groupsIn(range) > BUDGET) assert.ok(drawnInside.some((n) => n.kind === 'range'), 'still too many: ranged again');
    else assert.ok(drawnInside.every((n) => n.kind === 'group'), 'few enough: group cells');
  });
}

test('a focus whose dependents span thousands of top-level groups collects them as the overview does', () => {
  const graph = indexGraph(configOf(estate(2000, 10)));
  const focus = build(graph, { kind: 'focus', name: 'e0_0' });
  assert.ok(focus.nodes.length <= 300, `${focus.nodes.length} cells`);
  assert.ok(focus.nodes.some((n) => n.kind === 'range'));
  assert.equal(focus.nodes.reduce((n, c) => n + (c.kind === 'entity' ? 1 : total(c)), 0), 20_000, 'every dependent once');
});

test('cross-range edges carry how many dependencies they stand for', () => {
  // Groups of 10 entities that all depend on the first entity of the group before.
  const entities: Entity[] = [];
  const groups = names(200);
  for (let g = 0; g < groups.length; g++) {
    for (let i = 0; i < 10; i++) entities.push(pingEntity(`e${g}_${i}`, g > 0 ? [`e${g - 1}_0`] : [], { group: groups[g]! }));
  }
  const model = build(indexGraph(configOf(entities)), { kind: 'overview' });
  assert.ok(model.nodes.length <= BUDGET && model.nodes.every((n) => n.kind === 'range'));
  assert.equal(model.edges.length, model.nodes.length - 1);
  for (const e of model.edges) assert.equal(e.label, '10 deps');
});

test('a group with thousands of subgroups ranges them the same way; a range of subgroups opens', () => {
  const graph = indexGraph(configOf(estate(3000, 1, (g) => `eu/api-${String(g).padStart(5, '0')}`)));
  const eu = build(graph, { kind: 'group', path: 'eu' });
  assert.ok(eu.nodes.length <= MAX_CELLS, `${eu.nodes.length} cells`);
  const range = eu.nodes.find((n) => n.kind === 'range')!;
  assert.match(range.name, /^eu\/api-\d+\.\.eu\/api-\d+$/);
  assert.match(range.cell[0]![0]!.text, /^api-\d+ … api-\d+$/);
  const inside = build(graph, { kind: 'range', range: range.name });
  assert.ok(inside.nodes.length <= MAX_CELLS + 2);
  assert.throws(() => build(graph, { kind: 'range', range: 'eu/nope..eu/api-00001' }), (err: unknown) => err instanceof ViewError && err.status === 404);
});

test('a group with more own entities than a view draws ranges them; a failing one colours its range; a range of entities opens', () => {
  // 1,000 entities in `big`, each on the one before; 30 subgroups beside them; 400 loose entities.
  const entities: Entity[] = [
    ...Array.from({ length: 1000 }, (_, i) => pingEntity(`s${i}`, i > 0 ? [`s${i - 1}`] : [], { group: 'big' })),
    ...Array.from({ length: 30 }, (_, i) => pingEntity(`sub${i}`, ['s0'], { group: `big/sub${i}` })),
    ...Array.from({ length: 400 }, (_, i) => pingEntity(`loose${i}`, ['s7'], { group: null })),
  ];
  const graph = indexGraph(configOf(entities));
  const statuses = new Map<string, Status>([['s250', 'error']]);
  const big = build(graph, { kind: 'group', path: 'big' }, statuses);
  assert.ok(big.nodes.length <= MAX_CELLS + 2, `${big.nodes.length} cells`);
  assert.equal(big.nodes.filter((n) => n.kind === 'group' && n.name.startsWith('big/')).length, 30, 'the subgroups keep their cells');
  const ranges = big.nodes.filter((n) => n.kind === 'range');
  assert.ok(ranges.length > 1);
  const singles = big.nodes.filter((n) => n.kind === 'entity' && /^s\d+$/.test(n.name)).length;
  assert.equal(ranges.reduce((n, c) => n + total(c), 0) + singles, 1000, 'every own entity in one cell');
  const holder = ranges.find((n) => byName(n.name.split('..')[0]!, 's250') <= 0 && byName('s250', n.name.split('..')[1]!) <= 0)!;
  assert.equal(holder.status, 'error', 'the range holding the failing entity takes its colour');
  assert.deepEqual(ranges[0]!.cell[1]!.map((l) => l.text), [`${total(ranges[0]!)} entities`, 'all ok']);

  const inside = build(graph, { kind: 'range', range: holder.name }, statuses);
  const [first, last] = holder.name.split('..') as [string, string];
  const own = inside.nodes.filter((n) => n.kind === 'entity' && byName(first, n.name) <= 0 && byName(n.name, last) <= 0);
  assert.equal(own.length, total(holder), 'its entities, each a cell');
  assert.equal(own.find((n) => n.name === 's250')?.status, 'error');
  assert.ok(inside.nodes.length <= MAX_CELLS + 2, `${inside.nodes.length} cells`);

  const loose = build(graph, { kind: 'group', path: '' }, statuses);
  assert.ok(loose.nodes.length <= MAX_CELLS + 2 && loose.nodes.some((n) => n.kind === 'range'), 'the ungrouped entities too');
  const looseRange = loose.nodes.find((n) => n.kind === 'range')!;
  assert.ok(build(graph, { kind: 'range', range: looseRange.name }, statuses).nodes.some((n) => n.name.startsWith('loose')));
});

test('a ranged overview keeps its cells when a group starts failing: its range is recoloured, nothing is laid out again', () => {
  const graph = indexGraph(configOf(estate(500, 2)));
  const statuses = new Map<string, Status>();
  const structures = new Map<string, Structure>();
  const before = build(graph, { kind: 'overview' }, statuses, structures);
  assert.ok(before.nodes.every((n) => n.kind === 'range'));
  statuses.set('e250_1', 'error');
  countTransition(structures.get('overview')!, 'e250_1', 'error'); // what the map service does
  const after = build(graph, { kind: 'overview' }, statuses, structures);
  assert.equal(mapSource(after, 'layout').source, mapSource(before, 'layout').source, 'the same layout source');
  const holder = after.nodes.find((n) => byName(n.name.split('..')[0]!, 'api-00250') <= 0 && byName('api-00250', n.name.split('..')[1]!) <= 0);
  assert.equal(holder?.status, 'error');
  assert.equal(after.nodes.filter((n) => n.status === 'error').length, 1);
});

test('range cells escape their names like every other cell', () => {
  const graph = indexGraph(configOf(estate(100, 1, (g) => `<g${String(g).padStart(3, '0')}>"&`)));
  const model = build(graph, { kind: 'overview' });
  const range = model.nodes.find((n) => n.kind === 'range')!;
  assert.match(range.name, /^<g000>"&\.\.<g\d{3}>"&$/);
  const inside = build(graph, { kind: 'range', range: range.name });
  assert.ok(inside.nodes.some((n) => n.key === 'group:<g000>"&'));
});
