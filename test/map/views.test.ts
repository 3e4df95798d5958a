// The view builders: which cells each view draws, their statuses and counts, and the edges
// between them. Pure; no layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexGraph } from '../../src/map/graph.ts';
import { buildView, countTransition, MAX_BLOCKED_SHOWN } from '../../src/map/views.ts';
import type { Structure } from '../../src/map/views.ts';
import { parseViewQuery, ViewError } from '../../src/map/view.ts';
import type { ViewSpec } from '../../src/map/view.ts';
import type { MapModel } from '../../src/map/source.ts';
import type { Entity, EntityState, Status } from '../../src/types.ts';
import { configOf, pingEntity } from '../helpers/entities.ts';
import { stateOf } from './helpers.ts';

/** name: [group, dependencies, status] */
type Row = readonly [string | null, readonly string[], Status?];
const estate = (rows: Record<string, Row>): Entity[] =>
  Object.entries(rows).map(([name, [group, deps]]) => pingEntity(name, [...deps], { group }));

function view(rows: Record<string, Row>, spec: ViewSpec, extra: Partial<EntityState> = {}): MapModel {
  const states = new Map(Object.entries(rows).map(([name, [, , status]]) =>
    [name, stateOf(name, { status: status ?? 'ok', ...(status === 'error' ? { message: 'connection refused' } : {}), ...extra })]));
  return buildView(indexGraph(configOf(estate(rows))), (n) => states.get(n), spec);
}

/** Cells as `kind name status`, edges as `from -> to (label)` by cell name. */
function summary(model: MapModel): { cells: string[]; edges: string[]; lines: Record<string, string[][]> } {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  return {
    cells: model.nodes.map((n) => `${n.kind} ${n.name} ${n.status}`),
    edges: model.edges.map((e) => `${byId.get(e.from)!.name} -> ${byId.get(e.to)!.name}${e.label ? ` (${e.label})` : ''}`),
    lines: Object.fromEntries(model.nodes.map((n) => [n.key, n.cell.map((c) => c.map((l) => l.text))])),
  };
}

// A small estate: two regions with nested clusters, a shared database, two loose entities.
const ESTATE: Record<string, Row> = {
  db: ['eu/data', []],
  cache: ['eu/data', []],
  pay: ['eu/payments', ['db', 'cache']],
  ledger: ['eu/payments', ['db']],
  eu_gw: ['eu', ['pay']],
  us_api: ['us', ['db', 'us_db']],
  us_db: ['us', []],
  cron: [null, ['db']],
  dash: [null, ['us_api']],
};

const cases: { name: string; spec: ViewSpec; rows?: Record<string, Row>; cells: string[]; edges: string[] }[] = [
  {
    name: 'overview: one cell per top-level group with its worst status; loose entities as themselves; one edge per pair with its count',
    spec: { kind: 'overview' },
    rows: { ...ESTATE, ledger: ['eu/payments', ['db'], 'pending'], us_db: ['us', [], 'error'], us_api: ['us', ['db', 'us_db'], 'blocked'] },
    cells: ['group eu pending', 'group us error', 'entity cron ok', 'entity dash ok'],
    edges: ['us -> eu', 'cron -> eu', 'dash -> us'],
  },
  {
    name: 'group: its entities, nested subgroups as cells, outside neighbours as stubs',
    spec: { kind: 'group', path: 'eu' },
    cells: ['group eu/data ok', 'group eu/payments ok', 'entity eu_gw ok', 'stub us_api ok', 'stub cron ok'],
    edges: ['eu/payments -> eu/data (3 deps)', 'eu_gw -> eu/payments', 'us_api -> eu/data', 'cron -> eu/data'],
  },
  {
    name: 'nested group: drills down one level; the stub of the group above is still a stub',
    spec: { kind: 'group', path: 'eu/payments' },
    cells: ['entity pay ok', 'entity ledger ok', 'stub db ok', 'stub cache ok', 'stub eu_gw ok'],
    edges: ['pay -> db', 'pay -> cache', 'ledger -> db', 'eu_gw -> pay'],
  },
  {
    name: 'focus: the entity, its dependencies down to the roots, its dependents',
    spec: { kind: 'focus', name: 'us_api' },
    cells: ['entity us_api ok', 'entity db ok', 'entity us_db ok', 'entity dash ok'],
    edges: ['us_api -> db', 'us_api -> us_db', 'dash -> us_api'],
  },
];

for (const c of cases) {
  test(`view ${c.name}`, () => {
    const s = summary(view(c.rows ?? ESTATE, c.spec));
    assert.deepEqual(s.cells, c.cells);
    assert.deepEqual(s.edges.sort(), [...c.edges].sort());
  });
}

test('overview cells count their entities per status', () => {
  const s = summary(view({ ...ESTATE, ledger: ['eu/payments', ['db'], 'pending'], db: ['eu/data', [], 'error'] }, { kind: 'overview' }));
  assert.deepEqual(s.lines['group:eu'], [['eu'], ['5 entities', '1 error · 1 pending']]);
  assert.deepEqual(s.lines['group:us'], [['us'], ['2 entities', 'all ok']]);
});

test('overview: many ungrouped entities are collected into one cell', () => {
  const rows: Record<string, Row> = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`loose${i}`, [null, i ? ['loose0'] : []] as Row]));
  const s = summary(view({ ...rows, a: ['g', ['loose0']] }, { kind: 'overview' }));
  assert.deepEqual(s.cells, ['group  ok', 'group g ok']);
  assert.deepEqual(s.lines['group:'], [['ungrouped'], ['30 entities', 'all ok']]);
  assert.deepEqual(s.edges, ['g -> ']);
});

test('problems on a cascade: the root, the path to it, blocked dependents collapsed per group into a count', () => {
  const rows: Record<string, Row> = {
    db: ['data', [], 'error'],
    api: ['app', ['db'], 'blocked'],
    ok_one: ['app', []],
    ...Object.fromEntries(Array.from({ length: MAX_BLOCKED_SHOWN + 2 }, (_, i) => [`web${i}`, ['web', ['api'], 'blocked'] as Row])),
    slow: [null, [], 'degraded'],
    flaky: [null, ['db'], 'pending'],
  };
  const s = summary(view(rows, { kind: 'problems' }));
  assert.deepEqual(s.cells, ['entity db error', 'entity slow degraded', 'entity flaky pending', 'entity api blocked', 'group web blocked']);
  assert.deepEqual(s.edges.sort(), ['api -> db', 'flaky -> db', `web -> api (${MAX_BLOCKED_SHOWN + 2} deps)`]);
  assert.deepEqual(s.lines['blocked:web'], [['web'], [`${MAX_BLOCKED_SHOWN + 2} blocked`]]);
  assert.deepEqual(s.lines.db, [['db'], ['refused']]);
  assert.deepEqual(s.lines.api, [['api'], ['blocked']]);
});

test('problems with nothing failing: one note, no cells', () => {
  const s = summary(view(ESTATE, { kind: 'problems' }));
  assert.deepEqual(s.cells, ['note  unknown']);
});

test('a view of a group or entity that does not exist is a 404; a bad query a 400', () => {
  for (const spec of [{ kind: 'group', path: 'nope' }, { kind: 'group', path: 'e' }, { kind: 'focus', name: 'nope' }] as ViewSpec[]) {
    assert.throws(() => view(ESTATE, spec), (err: unknown) => err instanceof ViewError && err.status === 404);
  }
  for (const q of [{ view: 'everything' }, { group: 'eu', focus: 'db' }]) {
    assert.throws(() => parseViewQuery(q), (err: unknown) => err instanceof ViewError && err.status === 400);
  }
  assert.deepEqual(parseViewQuery({ group: '/eu/payments/' }), { kind: 'group', path: 'eu/payments' });
  assert.equal(parseViewQuery({}), null);
});

test('a kept view moves an entity between counts on a transition instead of recounting its group cells', () => {
  const graph = indexGraph(configOf(estate(ESTATE)));
  const statuses = new Map(Object.keys(ESTATE).map((n) => [n, 'ok' as Status]));
  let lookups = 0;
  const lookup = (name: string): EntityState => { lookups += 1; return stateOf(name, { status: statuses.get(name)! }); };
  const structures = new Map<string, Structure>();
  const cellsOf = (model: MapModel) => Object.fromEntries(model.nodes.map((n) => [n.key, `${n.status} ${n.cell[1]?.map((l) => l.text).join(' ') ?? ''}`]));
  const first = cellsOf(buildView(graph, lookup, { kind: 'overview' }, structures));
  assert.equal(first['group:eu'], 'ok 5 entities all ok');
  for (const [name, to] of [['ledger', 'pending'], ['us_db', 'error'], ['ledger', 'error'], ['ledger', 'ok']] as const) {
    statuses.set(name, to);
    for (const structure of structures.values()) countTransition(structure, name, to);
  }
  lookups = 0;
  const after = cellsOf(buildView(graph, lookup, { kind: 'overview' }, structures));
  assert.equal(lookups, 2, 'only the two loose entities are looked up; group cells are not recounted');
  assert.equal(after['group:eu'], 'ok 5 entities all ok');
  assert.equal(after['group:us'], 'error 2 entities 1 error');
  // The same as counting afresh.
  assert.deepEqual(after, cellsOf(buildView(graph, lookup, { kind: 'overview' })));
  // A repeated or unknown transition changes nothing.
  for (const structure of structures.values()) { countTransition(structure, 'us_db', 'error'); countTransition(structure, 'nobody', 'error'); }
  assert.deepEqual(cellsOf(buildView(graph, lookup, { kind: 'overview' }, structures)), after);
});
