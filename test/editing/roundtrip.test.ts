// A richly commented entities.yaml through create, edit, rename (three dependents) and delete
// over the API: the file ends byte for byte as expected, and the running monitor follows each
// change without resetting the counts of entities the change did not touch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { AUTH, startEditRig } from './rig.ts';
import type { EditRig } from './rig.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/editing/${name}`, import.meta.url), 'utf8');
const NAMES = ['WEB', 'WORKER', 'REPORTS', 'DB', 'HOST', 'LEGACY', 'CACHE'] as const;

let rig: EditRig;
let targets: Target[];

before(async () => {
  targets = await Promise.all(NAMES.map(() => startTarget()));
  const env = Object.fromEntries(NAMES.map((n, i) => [`${n}_URL`, targets[i]!.url]));
  rig = await startEditRig(fixture('rich.yaml').replace('entities:\n', `${AUTH}\nentities:\n`), env);
});

after(async () => {
  await rig?.close();
  await Promise.all(targets.map((t) => t.close()));
});

/** Waits (on the monitor's own events, not a timer) until `name` has at least `n` checks. */
async function checked(name: string, n: number): Promise<number> {
  for (;;) {
    const s = rig.service.monitor.state(name);
    const count = s ? s.success_count + s.fail_count : 0;
    if (count >= n) return count;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('create, edit, rename with three dependents, delete: the file equals the expected text byte for byte', async () => {
  const host = () => { const s = rig.service.monitor.state('host')!; return { count: s.success_count + s.fail_count, since: s.since }; };
  await checked('host', 2);
  const hostBefore = host();

  let res = await rig.call('GET', '/config');
  assert.equal(res.status, 200);
  let etag = res.etag!;
  assert.equal(res.body.etag, etag);
  assert.equal(res.body.text, rig.read());

  res = await rig.call('POST', '/entities', {
    headers: { 'if-match': etag },
    body: { name: 'cache', type: 'api', url: '${CACHE_URL}', interval: 1, dependencies: ['host'], group: 'shop/front' },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  etag = res.etag!;
  assert.ok(rig.service.monitor.entity('cache'), 'the monitor runs the new entity as soon as the call returns');

  res = await rig.call('PATCH', '/entities/web', {
    headers: { 'if-match': etag },
    body: { interval: 2, expect: { status: [200, 204], max_latency_ms: null }, description: 'The storefront' },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  etag = res.etag!;
  assert.equal(rig.service.monitor.entity('web')!.interval, 2);

  const dbCount = await checked('db', 1);
  res = await rig.call('PATCH', '/entities/db', { headers: { 'if-match': etag }, body: { name: 'database' } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.name, 'database');
  etag = res.etag!;
  assert.equal(rig.service.monitor.entity('db'), undefined);
  assert.deepEqual(['web', 'worker', 'reports'].map((n) => rig.service.monitor.entity(n)!.dependencies.includes('database')), [true, true, true]);
  assert.ok(dbCount > 0);

  res = await rig.call('DELETE', '/entities/legacy', { headers: { 'if-match': etag } });
  assert.equal(res.status, 204);
  assert.equal(rig.service.monitor.entity('legacy'), undefined);

  assert.equal(rig.read(), fixture('rich.expected.yaml').replace('entities:\n', `${AUTH}\nentities:\n`));
  // host was never touched: its counts kept growing and its status never restarted.
  const hostAfter = host();
  assert.ok(hostAfter.count >= hostBefore.count, `host's count went from ${hostBefore.count} to ${hostAfter.count}`);
  assert.equal(hostAfter.since, hostBefore.since);

  // ${VAR} values never come back from the editing calls: the file and diffs keep the references.
  const config = await rig.call('GET', '/config');
  const seen = JSON.stringify(config.body) + JSON.stringify(res.body);
  for (const t of targets) assert.ok(!seen.includes(t.url), `a \${VAR} value came back: ${t.url}`);
  assert.match(config.body.text, /url: \$\{WEB_URL\}/);
});
