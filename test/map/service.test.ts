import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMapService } from '../../src/map/service.ts';
import { createMapRenderer } from '../../src/map/render.ts';
import { initialState } from '../../src/monitor/state.ts';
import type { EntityState, Status, Transition } from '../../src/types.ts';
import { layoutMap } from '../../src/map/layout.ts';
import { configOf, pingEntity } from '../helpers/entities.ts';

test('figures may lag by figureRefreshMs; a status change is served at once', async () => {
  const config = configOf([pingEntity('a'), pingEntity('b')]);
  const states = new Map<string, EntityState>(config.entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', latency_ms: 1, last_ok: true }]));
  let now = 0;
  const map = createMapService({ monitor: { config: () => config, state: (n) => states.get(n) }, clock: { now: () => now }, figureRefreshMs: 1000 });
  try {
    const first = await map.svg();
    assert.match(first.body, /ping · 1.0 ms/);

    const faster: EntityState = { ...states.get('a')!, latency_ms: 7 };
    states.set('a', faster);
    map.onResult(config.entities[0]!, { ok: true, degraded: false, latency_ms: 7, message: '', extra: {}, at: 1 }, faster);
    now = 500;
    assert.equal(await map.svg(), first, 'within the refresh period a figure change reuses the last map');
    now = 1000;
    const refreshed = await map.svg();
    assert.notEqual(refreshed, first);
    assert.match(refreshed.body, /ping · 7.0 ms/, 'after it the new figure shows');

    const down: EntityState = { ...states.get('b')!, status: 'error', last_ok: false };
    states.set('b', down);
    const transition: Transition = { name: 'b', from: 'ok', to: 'error', at: 2, message: 'x', blocked_by: null, prev_since: null };
    map.onTransition(transition, down);
    now = 1001;
    const recoloured = await map.svg();
    assert.notEqual(recoloured, refreshed, 'a status change never waits for the refresh period');
    assert.match(recoloured.body, /class="pm-node pm-error" data-entity="b"/);
  } finally {
    await map.close();
  }
});

test('beyond map.max_entities the default is the overview; every view is cached and recoloured without a new layout', async () => {
  const entities = Array.from({ length: 6 }, (_, i) => pingEntity(`e${i}`, i > 0 ? ['e0'] : [], { group: i < 3 ? 'eu/db' : 'us' }));
  const config = configOf(entities, { map: { max_entities: 4 } });
  const states = new Map<string, EntityState>(entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', last_ok: true }]));
  const map = createMapService({ monitor: { config: () => config, state: (n) => states.get(n) } });
  try {
    const overview = await map.svg();
    assert.match(overview.body, /data-view="overview"/);
    assert.deepEqual([...overview.body.matchAll(/data-group="([^"]*)"/g)].map((m) => m[1]), ['eu', 'us']);
    assert.doesNotMatch(overview.body, /data-entity=/);
    const all = await map.svg({ kind: 'all' });
    assert.equal([...all.body.matchAll(/data-entity="/g)].length, 6, '?view=all draws every entity whatever the limit');
    const group = await map.svg({ kind: 'group', path: 'us' });
    assert.match(group.body, /data-entity="e0" data-stub="true"/, 'the outside dependency is a stub');
    const layouts = map.layouts();

    const cellsBefore = JSON.parse(map.cells().body) as { layout: string; cells: { name: string; status: string }[] };
    assert.equal(cellsBefore.layout, /data-layout="([^"]+)"/.exec(overview.body)![1], 'the cells name the layout the SVG has');
    const down: EntityState = { ...states.get('e4')!, status: 'error', last_ok: false, message: 'connection refused' };
    states.set('e4', down);
    map.onTransition({ name: 'e4', from: 'ok', to: 'error', at: 2, message: 'connection refused', blocked_by: null, prev_since: null }, down);
    const recoloured = await map.svg();
    assert.match(recoloured.body, /class="pm-node pm-cluster pm-error" data-group="us" data-status="error"/);
    assert.match((await map.svg({ kind: 'group', path: 'us' })).body, /data-entity="e4" data-status="error"/);
    assert.equal(map.layouts(), layouts, 'no new layout for a status change');
    const cells = JSON.parse(map.cells().body) as typeof cellsBefore;
    assert.equal(cells.layout, cellsBefore.layout);
    assert.equal(cells.cells.find((c) => c.name === 'us')!.status, 'error');
  } finally {
    await map.close();
  }
});

test('a flapping entity is marked in the SVG and in /map.json, without a new layout; maintenance is its own colour', async () => {
  const config = configOf([pingEntity('a'), pingEntity('b'), pingEntity('c')]);
  const states = new Map<string, EntityState>(config.entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', last_ok: true }]));
  states.set('c', { ...states.get('c')!, status: 'maintenance' });
  const flapping = new Set<string>();
  let now = 0;
  const map = createMapService({
    monitor: { config: () => config, state: (n) => states.get(n) }, clock: { now: () => now }, flapping: (n) => flapping.has(n),
  });
  try {
    const before = await map.svg();
    assert.doesNotMatch(before.body, /data-flapping/);
    assert.match(before.body, /class="pm-node pm-maintenance" data-entity="c" data-status="maintenance"/);
    assert.match(before.body, /fill="#c6dcf5" stroke="#2b5f9e"/, 'maintenance cells are blue');
    const layouts = map.layouts();

    flapping.add('a');
    const failed: EntityState = { ...states.get('a')!, status: 'pending', last_ok: false };
    states.set('a', failed);
    map.onTransition({ name: 'a', from: 'ok', to: 'pending', at: 1, message: 'x', blocked_by: null, prev_since: null }, failed);
    now = 1;
    const marked = await map.svg();
    assert.match(marked.body, /class="pm-node pm-pending pm-flapping" data-entity="a" data-status="pending" data-flapping="true"/);
    assert.match(marked.body, /stroke="#9334e6" stroke-dasharray="3 3" stroke-width="4"/, 'the mark stands out without a stylesheet');
    assert.doesNotMatch(marked.body, /data-entity="b"[^>]*data-flapping/);
    const cells = JSON.parse(map.cells().body) as { cells: { name: string; flapping: boolean }[] };
    assert.deepEqual(cells.cells.map((c) => [c.name, c.flapping]), [['a', true], ['b', false], ['c', false]]);
    assert.equal(map.layouts(), layouts, 'a mark is not a new layout');
  } finally {
    await map.close();
  }
});

test('an estate larger than the in-process limit starts the layout process with the first view, so a large view does not wait for it', async () => {
  const entities = Array.from({ length: 8 }, (_, i) => pingEntity(`e${i}`, [], { group: i < 5 ? 'big' : 'small' }));
  const config = configOf(entities, { map: { max_entities: 4 } });
  const states = new Map<string, EntityState>(entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', last_ok: true }]));
  const renderer = createMapRenderer({ inProcessCells: 4 });
  const map = createMapService({ monitor: { config: () => config, state: (n) => states.get(n) }, renderer });
  try {
    // The overview (two group cells) is laid out in-process; the process is started beside it.
    assert.match((await map.svg()).body, /data-view="overview"/);
    assert.equal(renderer.processes(), 1);
    const big = await map.svg({ kind: 'group', path: 'big' });
    assert.equal([...big.body.matchAll(/data-entity="/g)].length, 5);
    assert.equal(renderer.processes(), 1, 'the five-cell view used the process already started');
  } finally {
    await map.close();
  }
});

test('a small estate starts no layout process', async () => {
  const entities = Array.from({ length: 4 }, (_, i) => pingEntity(`e${i}`));
  const config = configOf(entities);
  const renderer = createMapRenderer({ inProcessCells: 4 });
  const map = createMapService({ monitor: { config: () => config, state: () => undefined }, renderer });
  try {
    await map.svg();
    await map.svg({ kind: 'focus', name: 'e1' });
    assert.equal(renderer.processes(), 0);
  } finally {
    await map.close();
  }
});

test('a ranged overview keeps its cells when a group starts failing: the range holding it is recoloured, nothing is laid out again', async () => {
  const entities = Array.from({ length: 100 }, (_, i) => pingEntity(`e${i}`, i > 0 ? [`e${i - 1}`] : [], { group: `g${i}` }));
  const config = configOf(entities);
  const states = new Map<string, EntityState>(entities.map((e) => [e.name, { ...initialState(e.name), status: 'ok', last_ok: true }]));
  const map = createMapService({ monitor: { config: () => config, state: (n) => states.get(n) }, renderer: createMapRenderer({ layout: async (job) => layoutMap(job) }) });
  const cellsOf = () => (JSON.parse(map.cells({ kind: 'overview' }).body) as { cells: { kind: string; name: string; status: string }[] }).cells;
  const move = (name: string, to: Status): void => {
    const prev = states.get(name)!;
    const next = { ...prev, status: to, message: to === 'error' ? 'connection refused' : '' };
    states.set(name, next);
    map.onTransition({ name, from: prev.status, to, at: 1, message: next.message, blocked_by: null, prev_since: null }, next);
  };
  try {
    const first = await map.svg({ kind: 'overview' });
    const layouts = map.layouts();
    const cells = cellsOf();
    assert.ok(cells.every((c) => c.kind === 'range'), 'a hundred groups: ranges only');
    move('e42', 'error');
    const holder = cellsOf().filter((c) => c.status === 'error');
    assert.equal(holder.length, 1);
    assert.ok(holder[0]!.kind === 'range' && holder[0]!.name.split('..').includes('g42'), `${holder[0]!.name} holds g42`);
    const after = await map.svg({ kind: 'overview' });
    assert.notEqual(after.body, first.body, 'recoloured');
    assert.equal(map.layouts(), layouts, 'no new layout');
    assert.deepEqual(cellsOf().map((c) => c.name), cells.map((c) => c.name), 'the same cells');
    move('e42', 'ok');
    assert.ok(cellsOf().every((c) => c.status === 'ok'));
  } finally {
    await map.close();
  }
});
