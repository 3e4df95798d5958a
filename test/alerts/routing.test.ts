// Routing: named channels, entity and group routes, a default, and the root cause reaching the
// channels of what fell with it; first as pure functions, then end to end with real checks and
// two real webhook receivers.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, formatProblem } from '../../src/config/load.ts';
import { createRouter, routeItems } from '../../src/alerts/routing.ts';
import type { AlertItem } from '../../src/alerts/alert.ts';
import type { Config } from '../../src/types.ts';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startReceiver } from './helpers.ts';
import type { Receiver } from './helpers.ts';
import { startRig } from './rig.ts';
import type { Rig } from './rig.ts';

function parse(yaml: string): Config {
  const result = parseConfig(yaml, 'entities.yaml', { OPS_HOOK: 'https://hooks.example.com/ops-secret' });
  if ('errors' in result) assert.fail(result.errors.map(formatProblem).join('\n'));
  return result.config;
}

const ROUTED = `
notify:
  ops: { type: webhook, url: "\${OPS_HOOK}" }
  dba: { type: webhook, url: "https://hooks.example.com/dba" }
  telegram: { token: "123:abc", chat_id: 1 }
  default: [ops]
groups:
  eu: { notify: [telegram] }
  eu/payments: { notify: [dba] }
entities:
  db: { type: ping, host: 10.0.0.5, notify: [dba, ops] }
  web: { type: ping, host: 10.0.0.6, dependencies: [db] }
  cards: { type: ping, host: 10.0.0.7, group: eu/payments/cards }
  shop: { type: ping, host: 10.0.0.8, group: eu/shop }
  own: { type: ping, host: 10.0.0.9, group: eu/payments, notify: [telegram] }
`;

test('named channels with a type, the unnamed form, and each one under its name', () => {
  const config = parse(ROUTED);
  assert.deepEqual(config.notify.channels.map((c) => [c.name, c.type]), [['ops', 'webhook'], ['dba', 'webhook'], ['telegram', 'telegram']]);
  assert.deepEqual(config.notify.channels[0]!.config, { url: 'https://hooks.example.com/ops-secret', headers: {} });
  assert.deepEqual(config.notify.default, ['ops']);
});

test('an entity\'s own route, else its nearest group\'s, else the default', () => {
  const route = createRouter(parse(ROUTED));
  assert.deepEqual(
    ['db', 'web', 'cards', 'shop', 'own'].map((n) => [n, route(n)]),
    [['db', ['dba', 'ops']], ['web', ['ops']], ['cards', ['dba']], ['shop', ['telegram']], ['own', ['telegram']]],
  );
  assert.deepEqual(route(null), ['ops', 'dba', 'telegram'], 'configuration events go everywhere');
  const plain = createRouter(parse('notify:\n  webhook: { url: "https://h.example.com/x" }\n  email: { host: smtp, to: [a@b.example] }\nentities:\n  a: { type: ping, host: h }\n'));
  assert.deepEqual(plain('a'), ['webhook', 'email'], 'without routes every channel hears everything, as before');
});

const item = (entity: string | null, over: Partial<AlertItem> = {}): AlertItem => ({
  event: 'down', entity, status: 'error', message: 'x', impacted: [], at: 1, since: 1, days: null, url: null, key: `${entity}:down:1`, ...over,
});

test('a root cause goes to its channels and those of the impacted entities, once each', () => {
  const route = createRouter(parse(ROUTED));
  const down = item('db', { impacted: ['web', 'cards'] });
  const solo = item('shop');
  const recovered = item('db', { event: 'recovered', key: 'db:recovered:2', reach: ['cards'] });
  const routed = routeItems([down, solo, recovered], route);
  assert.deepEqual(Object.fromEntries([...routed].map(([c, items]) => [c, items.map((i) => i.key)])), {
    dba: ['db:down:1', 'db:recovered:2'],
    ops: ['db:down:1', 'db:recovered:2'],
    telegram: ['shop:down:1'],
  });
});

test('a maintenance window is told on the channels of the entities it covers, and only there', () => {
  const route = createRouter(parse(ROUTED));
  const start = item(null, { event: 'maintenance_start', entity: null, status: null, key: 'maintenance:w:1:start', reach: ['cards'] });
  const wide = item(null, { event: 'maintenance_end', entity: null, status: null, key: 'maintenance:w:1:end', reach: ['db', 'shop'] });
  const config = item(null, { event: 'config_invalid', entity: null, status: null, key: 'config' });
  const routed = routeItems([start, wide, config], route);
  assert.deepEqual(Object.fromEntries([...routed].map(([c, items]) => [c, items.map((i) => i.key)])), {
    dba: ['maintenance:w:1:start', 'maintenance:w:1:end', 'config'],
    ops: ['maintenance:w:1:end', 'config'],
    telegram: ['maintenance:w:1:end', 'config'],
  });
});

const invalid: [string, string, string[]][] = [
  ['an unknown channel in an entity\'s route', 'notify:\n  ops: { type: webhook, url: "https://h.example.com/" }\nentities:\n  a: { type: ping, host: h, notify: [ops, dbaa] }\n',
    ["entities.yaml:4:43: /entities/a/notify/1: unknown channel 'dbaa' (channels: ops)"]],
  ['a misspelt channel in the default', 'notify:\n  ops: { type: webhook, url: "https://h.example.com/" }\n  default: [opz]\nentities: {}\n',
    ["entities.yaml:3:13: /notify/default/0: unknown channel 'opz' (did you mean 'ops'?)"]],
  ['an unknown channel in a group\'s route', 'notify:\n  ops: { type: webhook, url: "https://h.example.com/" }\ngroups:\n  eu:\n    notify: [dba]\nentities: {}\n',
    ["entities.yaml:5:14: /groups/eu/notify/0: unknown channel 'dba' (channels: ops)"]],
  ['a named channel without a type', 'notify:\n  ops: { url: "https://h.example.com/" }\nentities: {}\n',
    ["entities.yaml:2:3: /notify/ops must have required property 'type'"]],
  ['a channel setting of another type', 'notify:\n  ops: { type: webhook, token: abc, url: "https://h.example.com/" }\nentities: {}\n',
    ["entities.yaml:2:25: /notify/ops has unknown property 'token' (known: type, url, headers)"]],
];

for (const [title, yaml, expected] of invalid) {
  test(`rejects ${title}`, () => {
    const result = parseConfig(yaml, 'entities.yaml', {});
    assert.ok('errors' in result, 'rejected');
    assert.deepEqual(result.errors.map(formatProblem), expected);
  });
}

let ops: Receiver;
let dba: Receiver;
const targets: Target[] = [];
const rigs: Rig[] = [];
before(async () => { ops = await startReceiver(); dba = await startReceiver(); });
after(async () => { await ops.close(); await dba.close(); });
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
});

const heard = (r: Receiver): string[] => r.requests.map((q) => {
  const doc = JSON.parse(q.body) as { event: string; entity: string; impacted: string[] };
  return `${doc.event} ${doc.entity}${doc.impacted.length > 0 ? ` (${doc.impacted.join(', ')})` : ''}`;
});

test('two channels, three entities with different routes, one cascade: each channel gets exactly its messages', async () => {
  const [db, web, batch] = await Promise.all([startTarget(200, 'ok'), startTarget(200, 'ok'), startTarget(200, 'ok')]);
  targets.push(db, web, batch);
  const entity = (name: string, t: Target, deps: string[], notify: string[] | null) =>
    apiEntity(name, t.url, deps, { failure_threshold: 1, interval: 3600, timeout: 5, notify });
  const r = await startRig([entity('db', db, [], ['dba']), entity('web', web, ['db'], null), entity('batch', batch, [], ['dba'])], {
    channels: [
      { name: 'ops', type: 'webhook', config: { url: ops.url, headers: {} } },
      { name: 'dba', type: 'webhook', config: { url: dba.url, headers: {} } },
    ],
    default: ['ops'],
  });
  rigs.push(r);
  await r.check('db', 'web', 'batch');
  await r.deliver();

  db.status = 503;
  web.status = 503;
  await r.check('db');
  await r.check('web');
  await r.deliver();
  batch.status = 503;
  await r.check('batch');
  await r.deliver();
  web.status = 200;
  await r.check('web');
  db.status = 200;
  await r.check('db');
  await r.deliver();

  assert.deepEqual(heard(dba), ['down db (web)', 'down batch', 'recovered db']);
  assert.deepEqual(heard(ops), ['down db (web)', 'recovered db'], 'the root cause of what ops watches, and its end');
  assert.ok(ops.requests.every((q) => q.headers['content-type'] === 'application/json'));
});
