import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { buildMap, mapSource } from '../../src/map/source.ts';
import { layoutMap } from '../../src/map/layout.ts';
import { createLayoutProcess, createMapRenderer, LARGE_CONFIG_BYTES, prestartForConfig } from '../../src/map/render.ts';
import { WARM_UP_CELLS, warmUpJob } from '../../src/map/warm-up.ts';
import { stubCell } from '../../src/map/cells.ts';
import { STATUS_COLOURS } from '../../src/map/palette.ts';
import { escapeXml } from '../../src/map/escape.ts';
import { indexGraph } from '../../src/map/graph.ts';
import { buildView } from '../../src/map/views.ts';
import type { Config, EntityState } from '../../src/types.ts';
import { apiEntity, configOf, pingEntity } from '../helpers/entities.ts';
import { entityCells, stateOf } from './helpers.ts';

function counted() {
  let calls = 0;
  const renderer = createMapRenderer({ layout: async (job) => { calls += 1; return layoutMap(job); } });
  return { renderer, calls: () => calls };
}

const config = configOf([
  apiEntity('web', 'http://web', ['db'], { group: 'vds', extra: { runs_in: 'docker' } }),
  { ...pingEntity('db'), type: 'database' as const, url: 'postgres://h/db', query: 'select 1', group: 'vds' },
  pingEntity('gw'),
]);

const states = (over: Record<string, Partial<EntityState>>) => (name: string) => stateOf(name, over[name] ?? {});

/** The cell of one entity: from its outer <g> to the next cell. */
const cellOf = (svg: string, name: string): string => {
  const at = svg.indexOf(`data-entity="${name}"`);
  assert.ok(at > 0, `${name} is on the map`);
  const next = svg.indexOf('data-entity="', at + 1);
  return svg.slice(svg.lastIndexOf('<g', at), next < 0 ? undefined : svg.lastIndexOf('<g', next));
};

test('a status change recolours the cached layout; figures change without a layout', async () => {
  const { renderer, calls } = counted();
  const before = await renderer.render(buildMap(config, states({
    web: { status: 'ok', latency_ms: 12, success_count: 10, extra: { http_status: 200 } },
    db: { status: 'ok', latency_ms: 3, success_count: 10, extra: { size: '7.3 MB', size_bytes: 7654321 } },
  })));
  assert.equal(calls(), 1);
  assert.match(cellOf(before, 'db'), new RegExp(`fill="${STATUS_COLOURS.ok.fill}"`));

  const after = await renderer.render(buildMap(config, states({
    web: { status: 'blocked', blocked_by: 'db', latency_ms: 987, success_count: 10, fail_count: 3, extra: { http_status: 503 } },
    db: { status: 'error', latency_ms: null, success_count: 10, fail_count: 3, extra: { size: '7.4 MB', size_bytes: 7754321 } },
  })));
  assert.equal(calls(), 1, 'no new layout for new colours and figures');
  const db = cellOf(after, 'db');
  assert.match(db, new RegExp(`class="pm-node pm-error"`));
  assert.match(db, new RegExp(`fill="${STATUS_COLOURS.error.fill}" stroke="${STATUS_COLOURS.error.stroke}"`));
  assert.match(db, />size: 7\.4 MB</);
  assert.match(db, new RegExp(`stroke-width="${STATUS_COLOURS.error.width}"`), 'error has the loudest outline');
  const web = cellOf(after, 'web');
  assert.match(web, /stroke-dasharray="6 5"/, 'blocked is dashed');
  assert.match(web, />blocked by db</, 'a blocked cell names its root instead of its last figure');
  assert.doesNotMatch(web, /HTTP 503/);
  // The geometry is the cached one: same size, same boxes.
  assert.equal(after.match(/viewBox="[^"]+"/)![0], before.match(/viewBox="[^"]+"/)![0]);
  await renderer.close();
});

test('a changed label, a new entity or a new group lays out again; going back uses the cache', async () => {
  const { renderer, calls } = counted();
  const base = buildMap(config, () => undefined);
  await renderer.render(base);
  assert.equal(calls(), 1);

  const relabelled: Config = { ...config, entities: config.entities.map((e) => (e.name === 'web' ? { ...e, extra: { runs_in: 'kubernetes' } } : e)) };
  const svg = await renderer.render(buildMap(relabelled, () => undefined));
  assert.equal(calls(), 2);
  assert.match(svg, />runs_in: kubernetes</);

  const grown = configOf([...config.entities, pingEntity('new_one', ['gw'])]);
  assert.equal(entityCells(await renderer.render(buildMap(grown, () => undefined))), 4);
  assert.equal(calls(), 3);

  await renderer.render(base);
  assert.equal(calls(), 3, 'the earlier layout is still cached');
  await renderer.close();
});

test('a check figure that keeps its width class keeps the layout; a new figure line lays out once', async () => {
  const { renderer, calls } = counted();
  const at = (size: string) => buildMap(config, states({ db: { status: 'ok', extra: { size } } }));
  await renderer.render(at('7.3 MB'));
  await renderer.render(at('12.9 MB'));
  await renderer.render(at('512 B'));
  assert.equal(calls(), 1);
  await renderer.render(buildMap(config, states({ db: { status: 'ok', extra: { size: '7.3 MB', connections: 12 } } })));
  assert.equal(calls(), 2);
});

test('a small map is laid out in-process: one cell per entity, no <desc>, the crossing edge drawn', async () => {
  const renderer = createMapRenderer();
  try {
    const crossing = configOf(config.entities.map((e) => (e.name === 'web' ? { ...e, dependencies: ['db', 'gw'] } : e)));
    const svg = await renderer.render(buildMap(crossing, states({ gw: { status: 'ok' } })));
    assert.equal(renderer.layouts(), 1);
    assert.equal(entityCells(svg), 3);
    assert.doesNotMatch(svg, /<desc/);
    // web (inside the vds frame) -> gw (outside) is drawn by pulsemap: one curve and one arrowhead.
    const cross = /<g class="pm-cross"[^>]*>(.*?)<\/g>/.exec(svg);
    assert.ok(cross, 'the crossing edge is drawn');
    assert.equal(cross[1]!.match(/<path /g)!.length, 2);
  } finally {
    await renderer.close();
  }
});

test('no legend or title drawn inside the map (the page shows them); the title stays the SVG\'s <title>', async () => {
  const renderer = createMapRenderer({ layout: async (job) => layoutMap(job) });
  const svg = await renderer.render(buildMap(configOf([pingEntity('a')], { title: 'Fold & co <prod>' }), () => undefined));
  assert.match(svg, /<title ?>Fold &amp; co &lt;prod&gt;<\/title>/);
  assert.doesNotMatch(svg, /pm-legend|pm-swatch|pm-title/);
  assert.match(svg, /viewBox="0 0 [\d.]+ [\d.]+"/, 'nothing above the diagram');
  await renderer.close();
});

test('the layout process lays out one map after another, exits once idle, and close stops what is in flight', async () => {
  let exits = 0;
  let exited = (): void => {};
  const layouts = createLayoutProcess({ idleMs: 100, onExit: () => { exits += 1; exited(); } });
  try {
    const job = mapSource(buildMap(config, states({})), 'layout');
    const [first, second] = await Promise.all([layouts.layout(job), layouts.layout(job)]);
    assert.deepEqual(second, first, 'two layouts of the same map are alike');
    assert.deepEqual(first, layoutMap(job), 'and as the in-process layout is');
    assert.equal(layouts.started(), 1, 'both ran in one process');
    // Idle: the process exits (its memory goes with it); the next map starts another.
    if (exits === 0) await new Promise<void>((resolve) => { exited = resolve; });
    assert.equal(exits, 1);
    assert.equal(layouts.running(), false);
    assert.deepEqual(await layouts.layout(job), first);
    assert.equal(layouts.started(), 2);
    const inFlight = assert.rejects(layouts.layout(job), /map layout process ended/);
    await layouts.close();
    await inFlight;
    assert.equal(layouts.running(), false);
  } finally {
    await layouts.close();
  }
});

test('a chain of 2,000 cells, too deep for the default stack, is laid out by the layout process', async () => {
  // As the whole map (`?view=all`) of such a chain would be, in one-line cells.
  const nodes = Array.from({ length: 2000 }, (_, i) => ({ id: `n${i + 1}`, kind: 'stub' as const, key: `e${i}`, name: `e${i}`, status: 'ok' as const, cell: stubCell(`e${i}`) }));
  const edges = nodes.slice(1).map((n, i) => ({ from: n.id, to: nodes[i]!.id }));
  const job = mapSource({ title: 'chain', view: 'all', nodes, groups: [], edges }, 'layout');
  assert.throws(() => layoutMap(job), RangeError, 'in this process (default stack) it overflows');
  const layouts = createLayoutProcess();
  try {
    const template = await layouts.layout(job);
    assert.equal(Object.keys(template.refs).length, 2000, 'every cell is drawn');
  } finally {
    await layouts.close();
  }
});

test('a prestarted layout process serves the next layout, and retires when no layout comes', async () => {
  let exited = (): void => {};
  const gone = new Promise<void>((resolve) => { exited = resolve; });
  const layouts = createLayoutProcess({ idleMs: 100, onExit: () => exited() });
  try {
    const job = mapSource(buildMap(config, states({})), 'layout');
    // With a map to warm up on: laid out and forgotten, it answers nothing.
    layouts.prestart(job);
    layouts.prestart();
    assert.equal(layouts.started(), 1, 'one process, however often asked');
    assert.equal(layouts.running(), true);
    assert.deepEqual(await layouts.layout(job), layoutMap(job));
    assert.equal(layouts.started(), 1, 'the layout went to the prestarted process');
    await gone;
    assert.equal(layouts.running(), false, 'idle, it exits');
    layouts.prestart();
    assert.equal(layouts.started(), 2);
  } finally {
    await layouts.close();
  }
  assert.equal(layouts.running(), false);
});

test('the made-up warm-up view is about the size of the largest views, lays out, and is what a prestart warms up on', async () => {
  const job = warmUpJob();
  assert.equal(Object.keys(job.refs).length, WARM_UP_CELLS);
  assert.ok(job.drawn.length > WARM_UP_CELLS, 'edges as many as a group view has');
  const template = layoutMap(job);
  assert.equal(Object.keys(template.refs).length, WARM_UP_CELLS);
  // A renderer prestarts its process with it, and the process goes on to serve real layouts.
  const renderer = createMapRenderer({ inProcessCells: 0 });
  try {
    renderer.prestart();
    const svg = await renderer.render(buildMap(config, states({})));
    assert.equal(entityCells(svg), config.entities.length);
    assert.equal(renderer.processes(), 1);
  } finally {
    await renderer.close();
  }
});

test('small views are laid out in-process, larger ones in the layout process', async () => {
  const renderer = createMapRenderer({ inProcessCells: 3 });
  try {
    await renderer.render(buildMap(config, states({})));
    const big = configOf(Array.from({ length: 4 }, (_, i) => pingEntity(`h${i}`)));
    const svg = await renderer.render(buildMap(big, states({})));
    assert.equal(entityCells(svg), 4);
    assert.equal(renderer.layouts(), 2);
    assert.equal(renderer.processes(), 1, 'only the four-cell map went to the layout process');
  } finally {
    await renderer.close();
  }
});

/** Every element that draws an edge, as `from -> to` with its tag and whether it is the line. */
function edgeElements(svg: string): { edge: string; tag: string; line: boolean }[] {
  return [...svg.matchAll(/<(path|text)\b([^>]*)>/g)].flatMap((m) => {
    const ends = / class="pm-edge" data-from="([^"]*)" data-to="([^"]*)"/.exec(m[2]!);
    return ends ? [{ edge: `${ends[1]} -> ${ends[2]}`, tag: m[1]!, line: / fill="none"/.test(m[2]!) }] : [];
  });
}

test('every edge names the cells it joins: inside a frame, between frames and at the top level, with its label', async () => {
  const estate = configOf([
    pingEntity('db', [], { group: 'data' }),
    pingEntity('cache', [], { group: 'data' }),
    pingEntity('api', ['db', 'cache'], { group: 'app' }),
    pingEntity('worker', ['api', 'db'], { group: 'app' }),
    pingEntity('cron', ['worker', 'db']),
    pingEntity('probe', ['cron']),
    pingEntity('odd"<&>', ['probe'], { group: 'q"<&>' }),
  ]);
  const deps = estate.entities.flatMap((e) => e.dependencies.map((d) => `${escapeXml(e.name)} -> ${escapeXml(d)}`));
  const svg = layoutMap(mapSource(buildMap(estate, () => undefined), 'layout')).parts.join('');
  const elements = edgeElements(svg);
  const lines = elements.filter((e) => e.line).map((e) => e.edge);
  assert.deepEqual(lines.sort(), [...deps].sort(), 'one named line per dependency');
  for (const edge of deps) assert.equal(elements.filter((e) => e.edge === edge && !e.line).length, 1, `${edge} has one arrowhead`);
  const others = (svg.match(/<path [^>]*>/g) ?? []).filter((p) => !/pm-edge/.test(p));
  assert.deepEqual(others.filter((p) => !/data-name="/.test(p) || /data-compartment="/.test(p)), [], 'every other path draws a cell or a frame');

  // An aggregated edge of the overview: its label is named too.
  const wide = configOf([...Array.from({ length: 3 }, (_, i) => pingEntity(`d${i}`, [], { group: 'data' })), ...Array.from({ length: 3 }, (_, i) => pingEntity(`a${i}`, [`d${i}`], { group: 'app' }))]);
  const overview = layoutMap(mapSource(buildView(indexGraph(wide), () => undefined, { kind: 'overview' }), 'layout')).parts.join('');
  assert.deepEqual(edgeElements(overview).map((e) => `${e.tag} ${e.edge}`).sort(), ['path group:app -> group:data', 'path group:app -> group:data', 'text group:app -> group:data']);
  assert.match(overview, /<text [^>]*class="pm-edge"[^>]*>3 deps<\/text>/);
});

test('the layout process is started while a large configuration is read, not for a small or missing one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulsemap-prestart-'));
  const small = createMapRenderer();
  const missing = createMapRenderer();
  const large = createMapRenderer();
  try {
    writeFileSync(join(dir, 'small.yaml'), 'entities: {}\n');
    writeFileSync(join(dir, 'large.yaml'), `# ${'x'.repeat(LARGE_CONFIG_BYTES)}\nentities: {}\n`);
    prestartForConfig(small, join(dir, 'small.yaml'));
    prestartForConfig(missing, join(dir, 'nope.yaml'));
    prestartForConfig(large, join(dir, 'large.yaml'));
    assert.equal(small.processes(), 0);
    assert.equal(missing.processes(), 0);
    assert.equal(large.processes(), 1, 'started before the file is parsed');
  } finally {
    await Promise.all([small.close(), missing.close(), large.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
