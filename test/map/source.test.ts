import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMap, mapSource } from '../../src/map/source.ts';
import type { MapModel } from '../../src/map/source.ts';
import { STATUS_COLOURS } from '../../src/map/palette.ts';
import { textWidth } from '../../src/map/measure.ts';
import type { EntityState, Status } from '../../src/types.ts';
import { apiEntity, configOf, entityOf, pingEntity } from '../helpers/entities.ts';
import { countEntityNodes, stateOf } from './helpers.ts';

const lines = (model: MapModel, name: string): string[][] =>
  model.nodes.find((n) => n.name === name)!.cell.map((c) => c.map((l) => l.text));

test('one classifier per status, in the SPEC colours; the title as a directive', () => {
  const job = mapSource(buildMap(configOf([pingEntity('a')], { title: 'Fold\ninfrastructure' }), () => undefined));
  for (const status of Object.keys(STATUS_COLOURS) as Status[]) {
    const c = STATUS_COLOURS[status];
    assert.match(job.source, new RegExp(`^#\\.${status}: fill=${c.fill} stroke=${c.stroke} bold${c.dashed ? ' dashed' : ''}$`, 'm'));
  }
  assert.match(job.source, /^#title: Fold infrastructure$/m);
  assert.equal(job.title, 'Fold infrastructure');
  assert.match(job.source, /^\[<unknown id=n1>a\|/m, 'the live source classifies by status');
});

const cases: { name: string; state: Partial<EntityState>; expect: string[][] }[] = [
  { name: 'before the first check', state: {}, expect: [['web'], ['not checked yet']] },
  {
    name: 'ok: type, latency and HTTP status',
    state: { status: 'ok', latency_ms: 183.4, success_count: 1467, fail_count: 1973, extra: { http_status: 200 } },
    expect: [['web'], ['api · 183 ms · HTTP 200']],
  },
  {
    name: 'slow answers in seconds',
    state: { status: 'degraded', latency_ms: 2345, success_count: 1, extra: { http_status: 200, cert_days: 9 } },
    expect: [['web'], ['api · 2.3 s · HTTP 200'], ['cert_days: 9']],
  },
  {
    name: 'pending: the reason and the count towards the threshold',
    state: { status: 'pending', consecutive_failures: 2, fail_count: 2, message: 'connection refused' },
    expect: [['web'], ['refused · 2/3']],
  },
  {
    name: 'blocked names the root cause, not its last figure',
    state: { status: 'blocked', blocked_by: 'db', fail_count: 4, extra: { http_status: 503 } },
    expect: [['web'], ['blocked by db']],
  },
  {
    name: 'error: the short reason instead of the last good figure',
    state: { status: 'error', fail_count: 3, message: 'expected status 200, got 503', extra: { http_status: 200 } },
    expect: [['web'], ['503']],
  },
  { name: 'error: refused', state: { status: 'error', message: 'connection refused' }, expect: [['web'], ['refused']] },
  { name: 'error: timeout', state: { status: 'error', message: 'timeout after 10 s' }, expect: [['web'], ['timeout']] },
  { name: 'error: anything else, shortened', state: { status: 'error', message: 'the answer was a teapot and nothing but a teapot' }, expect: [['web'], ['the answer was a teapot…']] },
];

for (const c of cases) {
  test(`cell lines: ${c.name}`, () => {
    const config = configOf([apiEntity('web', 'http://x', ['db']), pingEntity('db')]);
    const model = buildMap(config, (n) => (n === 'web' ? stateOf('web', c.state) : undefined));
    assert.deepEqual(lines(model, 'web'), c.expect);
    assert.equal(model.nodes[0]!.status, c.state.status ?? 'unknown');
  });
}

test('extra: user facts first, then check figures; a type\'s figures shown elsewhere are not repeated', () => {
  const entity = { ...pingEntity('db'), type: 'database' as const, url: 'postgres://u:secret@h/db', query: 'select 1', target: 'postgres://h/db', extra: { role: 'primary', runs_in: 'docker' } };
  const web = apiEntity('web', 'http://x');
  const model = buildMap(configOf([entity, web]), (name) => (name === 'db'
    ? stateOf('db', { status: 'ok', latency_ms: 3, extra: { size: '7.3 MB', size_bytes: 7654321 } })
    : stateOf('web', { status: 'ok', latency_ms: 3, extra: { http_status: 204, cert_days: 40 } })));
  assert.deepEqual(lines(model, 'db'), [['db'], ['database · 3.0 ms'], ['role: primary', 'runs_in: docker', 'size: 7.3 MB']]);
  assert.deepEqual(lines(model, 'web'), [['web'], ['api · 3.0 ms · HTTP 204'], ['cert_days: 40']]);
  assert.doesNotMatch(mapSource(model).source, /secret/);
});

test('edges point from an entity to each dependency; nodes are declared before any edge', () => {
  const config = configOf([apiEntity('web', 'http://x', ['api', 'db']), apiEntity('api', 'http://y', ['db']), pingEntity('db')]);
  const model = buildMap(config, () => undefined);
  assert.deepEqual(model.edges, [{ from: 'n1', to: 'n2' }, { from: 'n1', to: 'n3' }, { from: 'n2', to: 'n3' }]);
  const source = mapSource(model).source.split('\n');
  const firstEdge = source.findIndex((l) => l.includes('->'));
  const lastNode = source.findLastIndex((l) => /^\s*\[<\w+ id=n\d+>/.test(l));
  assert.ok(lastNode < firstEdge, 'every node comes before the first edge');
  assert.deepEqual(source.filter((l) => l.includes('->')), ['[n1] -> [n2]', '[n1] -> [n3]', '[n2] -> [n3]']);
  assert.equal(countEntityNodes(source.join('\n')), 3);
});

test('groups: members inside one labelled frame, edges inside it stay in it, crossing edges are listed for drawing', () => {
  const config = configOf([
    apiEntity('api', 'http://x', ['db', 'vds'], { group: 'fold_vds' }),
    pingEntity('db', ['vds'], { group: 'fold_vds' }),
    pingEntity('vds'),
    apiEntity('mail', 'http://m', ['api'], { group: 'mailhost' }),
  ]);
  const model = buildMap(config, () => undefined);
  assert.deepEqual(model.groups, [{ id: 'g1', name: 'fold_vds', members: ['n1', 'n2'] }, { id: 'g2', name: 'mailhost', members: ['n4'] }]);
  const job = mapSource(model, 'layout');
  assert.match(job.source, /\[<group id=g1>fold_vds\|\n {2}\[<node id=n1>[^\n]*\n {2}\[<node id=n2>[^\n]*\n {2}\[n1\] -> \[n2\]\n\]/);
  assert.deepEqual(job.crossEdges, [{ from: 'n1', to: 'n3' }, { from: 'n2', to: 'n3' }, { from: 'n4', to: 'n1' }]);
  // Invisible edges between the boxes keep dependencies below their dependents.
  assert.match(job.source, /^\[g1\] -\/- \[n3\]$/m);
  assert.match(job.source, /^\[g2\] -\/- \[g1\]$/m);
  assert.equal(countEntityNodes(job.source), 4, 'no member is duplicated outside its frame');
});

test('the layout source carries no status and no figures: only structure, labels and slots', () => {
  const config = configOf([apiEntity('web', 'http://x', ['db']), pingEntity('db')]);
  const a = buildMap(config, (n) => stateOf(n, { status: 'ok', latency_ms: 12, success_count: 5, extra: { http_status: 200 } }));
  const b = buildMap(config, (n) => stateOf(n, { status: 'blocked', blocked_by: 'db', latency_ms: 987, fail_count: 5, success_count: 1, extra: { http_status: 503 } }));
  assert.notEqual(mapSource(a).source, mapSource(b).source);
  assert.equal(mapSource(a, 'layout').source, mapSource(b, 'layout').source);
});

test('a live figure never outgrows its slot', () => {
  const config = configOf([apiEntity('web', 'http://x')]);
  for (const latency_ms of [0.01, 9.99, 999.4, 1000, 99_999, 3_600_000, 1e12]) {
    const model = buildMap(config, () => stateOf('web', { status: 'ok', latency_ms, success_count: 1, extra: { http_status: 599 } }));
    for (const line of model.nodes[0]!.cell.flat()) assert.ok(textWidth(line.text) <= textWidth(line.slot), `${line.text} fits ${line.slot}`);
  }
});

test('the newer check types: their figure follows the type and latency', () => {
  const tls = entityOf('tls', 'cert', { host: 'www.example.test' });
  const dns = entityOf('dns', 'dns', { name: 'www.example.test', record: 'AAAA' });
  const push = entityOf('push', 'nightly', { token: 'n1ghtly-t0ken-0123456789', interval: 86400 });
  const tcp = entityOf('tcp', 'ssh', { host: '10.0.0.5', port: 22 });
  const model = buildMap(configOf([tls, dns, push, tcp]), (name) => stateOf(name, {
    status: 'ok', latency_ms: name === 'nightly' ? null : 4,
    extra: name === 'cert' ? { cert_days: 12 } : name === 'nightly' ? { last_push: '2026-12-01 06:00 UTC' } : {},
  }));
  assert.deepEqual(lines(model, 'cert')[1]![0], 'tls · 4.0 ms · 12 d left');
  assert.equal(lines(model, 'cert').length, 2, 'cert_days is the figure, not repeated below');
  assert.deepEqual(lines(model, 'dns')[1]![0], 'dns · 4.0 ms · AAAA');
  assert.deepEqual(lines(model, 'nightly')[1]![0], 'push · — · every 1 d');
  assert.deepEqual(lines(model, 'nightly')[2], ['last_push: 2026-12-01 06:00 UTC']);
  assert.deepEqual(lines(model, 'ssh')[1]![0], 'tcp · 4.0 ms');
  assert.doesNotMatch(mapSource(model).source, /n1ghtly-t0ken/);
});
