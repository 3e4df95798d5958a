// The probe's pure parts: the bounded result queue and how an assigned definition is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAssigned, readAssignments } from '../../src/probe/assignment.ts';
import type { Assignment } from '../../src/probe/assignment.ts';
import { createResultQueue } from '../../src/probe/queue.ts';
import type { ProbeResult } from '../../src/probe/queue.ts';

const result = (n: number): ProbeResult => ({ entity: `e${n}`, at: new Date(n * 1000).toISOString(), ok: true, latency_ms: n, message: '', extra: {} });

test('the queue keeps the newest results up to its bound, oldest first, and counts what it dropped', () => {
  const q = createResultQueue(3);
  for (let n = 1; n <= 5; n++) q.push(result(n));
  assert.deepEqual(q.peek(10).results.map((r) => r.entity), ['e3', 'e4', 'e5']);
  assert.equal(q.size(), 3);
  assert.equal(q.dropped(), 2);
});

test('confirming a sent batch removes only it, even when the bound pushed some of it out meanwhile', () => {
  const cases: { pushedWhileSending: number; left: string[]; dropped: number }[] = [
    { pushedWhileSending: 0, left: ['e3'], dropped: 0 },
    // e1 (in the batch) was pushed out: confirming takes e2 only.
    { pushedWhileSending: 1, left: ['e3', 'e4'], dropped: 1 },
    // The whole batch was pushed out: confirming must not take e3, e4 or e5 with it.
    { pushedWhileSending: 2, left: ['e3', 'e4', 'e5'], dropped: 2 },
    { pushedWhileSending: 4, left: ['e5', 'e6', 'e7'], dropped: 4 },
  ];
  for (const c of cases) {
    const q = createResultQueue(3);
    for (let n = 1; n <= 3; n++) q.push(result(n));
    const { results, through } = q.peek(2);
    assert.deepEqual(results.map((r) => r.entity), ['e1', 'e2']);
    for (let n = 4; n < 4 + c.pushedWhileSending; n++) q.push(result(n));
    q.confirm(through);
    assert.deepEqual(q.peek(10).results.map((r) => r.entity), c.left, JSON.stringify(c));
    assert.equal(q.dropped(), c.dropped);
  }
});

const shop = (check: Record<string, unknown>, type = 'api'): Assignment => ({ name: 'shop', type, interval: 5, timeout: 2, check });

test('an assigned definition is built by the loader with the probe environment', () => {
  const built = buildAssigned(shop({
    type: 'api', url: '${SHOP_URL}', headers: { authorization: 'Bearer ${SHOP_KEY}' }, expect: { status: 200 },
    dependencies: ['db'], locations: ['local', 'fra'], quorum: 2, notify: ['ops'], group: 'web',
  }), { SHOP_URL: 'http://127.0.0.1:9/health', SHOP_KEY: 'k3y-value' });
  assert.ok('entity' in built, JSON.stringify(built));
  const entity = built.entity;
  assert.equal(entity.type, 'api');
  assert.deepEqual({ interval: entity.interval, timeout: entity.timeout, dependencies: entity.dependencies, group: entity.group }, { interval: 5, timeout: 2, dependencies: [], group: null });
  assert.ok(entity.type === 'api');
  assert.equal(entity.url, 'http://127.0.0.1:9/health');
  assert.deepEqual(entity.headers, { authorization: 'Bearer k3y-value' });
});

test('a definition the probe cannot build becomes a reason naming the field or the variable, never a value', () => {
  const env = { SHOP_URL: 'http://127.0.0.1:9/', PASSWORD: 'pa55-word-secret' };
  const cases: { check: Record<string, unknown>; type?: string; reason: RegExp }[] = [
    { check: { url: '${MISSING_URL}' }, reason: /environment variable MISSING_URL is not set/ },
    { check: { url: 'http://user:${PASSWORD}@[broken/' }, reason: /shop\/url/ },
    { check: { url: '${SHOP_URL}', colour: 'red' }, reason: /unknown property 'colour'/ },
    { check: { url: '${SHOP_URL}', expect: { status: 'fine' } }, reason: /shop\/expect\/status/ },
    { check: { host: '127.0.0.1', port: '${PORT_MISSING}' }, type: 'tcp', reason: /PORT_MISSING is not set/ },
    { check: { url: '${SHOP_URL}' }, type: 'telepathy', reason: /type/ },
    { check: {}, type: 'push', reason: /push checks cannot run at a probe/ },
    { check: { command: ['/bin/true'] }, type: 'command', reason: /only when it is started with --allow-commands/ },
  ];
  for (const c of cases) {
    const built = buildAssigned(shop(c.check, c.type), env);
    assert.ok('problem' in built, JSON.stringify(c));
    assert.match(built.problem, c.reason);
    assert.ok(!built.problem.includes(env.PASSWORD), built.problem);
  }
});

test('command checks run at a probe started with --allow-commands', () => {
  const built = buildAssigned(shop({ command: ['/bin/true'] }, 'command'), {}, true);
  assert.ok('entity' in built && built.entity.type === 'command');
  assert.deepEqual(built.entity.command, ['/bin/true']);
});

test('the same definition built twice has the same fingerprint; a changed one does not', () => {
  const env = { SHOP_URL: 'http://127.0.0.1:9/' };
  const a = buildAssigned(shop({ url: '${SHOP_URL}' }), env);
  const b = buildAssigned(shop({ url: '${SHOP_URL}' }), env);
  const c = buildAssigned(shop({ url: '${SHOP_URL}', method: 'HEAD' }), env);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.fingerprint, c.fingerprint);
});

test('an answer that is not an assignments document is refused with a reason', () => {
  for (const body of [null, [], { site: 'fra' }, { site: 'fra', entities: [{ name: 'x' }] }, { site: 1, entities: [] }]) {
    assert.throws(() => readAssignments(body), /assignments document|malformed/);
  }
  assert.deepEqual(readAssignments({ site: 'fra', entities: [] }), { site: 'fra', entities: [] });
});
