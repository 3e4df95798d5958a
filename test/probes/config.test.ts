// probes:, locations: and quorum: in entities.yaml: the built form, and mistakes pointed at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseConfig } from '../../src/config/load.ts';
import { problemsOf } from '../helpers/config.ts';

const ENV = { PROBE_FRA_TOKEN: 'fra-token-0123456789', PROBE_NYC_TOKEN: 'nyc-token-0123456789', SHOP_URL: 'http://127.0.0.1:9/x', SHOP_KEY: 'k3y' };
const PROBES = 'probes:\n  fra: { token: "${PROBE_FRA_TOKEN}" }\n  nyc: { token: "${PROBE_NYC_TOKEN}", offline_after: 120 }\n';

function configOf(yaml: string) {
  const result = parseConfig(yaml, 'e.yaml', ENV);
  assert.ok('config' in result, JSON.stringify(result));
  return result.config;
}

test('probes keep only a hash of their token; locations default their quorum to a majority', () => {
  const config = configOf(`${PROBES}entities:
  shop:
    type: api
    url: \${SHOP_URL}
    headers: { X-Key: "\${SHOP_KEY}" }
    expect: { status: 200 }
    locations: [local, fra, nyc]
    dependencies: [db]
    extra: { tier: gold }
  db: { type: tcp, host: 127.0.0.1, port: 5432, locations: [fra, nyc], quorum: 1 }
  plain: { type: ping, host: 127.0.0.1 }
  here: { type: ping, host: 127.0.0.1, locations: [local] }
`);
  assert.deepEqual(config.probes, [
    { site: 'fra', token_hash: createHash('sha256').update(ENV.PROBE_FRA_TOKEN).digest('hex'), offline_after: 60 },
    { site: 'nyc', token_hash: createHash('sha256').update(ENV.PROBE_NYC_TOKEN).digest('hex'), offline_after: 120 },
  ]);
  assert.ok(!JSON.stringify(config.probes).includes(ENV.PROBE_FRA_TOKEN));
  const [shop, db, plain, here] = config.entities;
  // What a probe gets: the fields as written, references unexpanded, nothing about alerting or the map.
  assert.deepEqual(shop!.placement, {
    locations: ['local', 'fra', 'nyc'], quorum: 2,
    check: { type: 'api', url: '${SHOP_URL}', headers: { 'X-Key': '${SHOP_KEY}' }, expect: { status: 200 } },
  });
  // The server itself runs the expanded definition.
  assert.equal((shop as { url: string }).url, ENV.SHOP_URL);
  assert.deepEqual(db!.placement, { locations: ['fra', 'nyc'], quorum: 1, check: { type: 'tcp', host: '127.0.0.1', port: 5432 } });
  assert.equal(plain!.placement, null);
  assert.deepEqual(here!.placement, { locations: ['local'], quorum: 1, check: null });
});

test('YAML merge keys reach the fields a probe gets', () => {
  const config = configOf(`${PROBES}x-web: &web { type: api, timeout: 5 }
entities:
  shop: { <<: *web, url: "\${SHOP_URL}", locations: [fra] }
`);
  assert.deepEqual(config.entities[0]!.placement?.check, { type: 'api', timeout: 5, url: '${SHOP_URL}' });
});

const ENTITY = (fields: string) => `${PROBES}entities:\n  shop: { type: api, url: "http://127.0.0.1:9/", ${fields} }\n`;
const cases: [what: string, yaml: string, expected: string[]][] = [
  ['a site not declared, with a suggestion', ENTITY('locations: [local, fro]'),
    ["e.yaml:5:69: /entities/shop/locations/1: unknown site 'fro' (did you mean 'fra'?)"]],
  ['a site not declared, listing the declared ones', ENTITY('locations: [tokyo]'),
    ["e.yaml:5:62: /entities/shop/locations/0: unknown site 'tokyo' (declared: local, fra, nyc)"]],
  ['a quorum above the number of sites', ENTITY('locations: [local, fra], quorum: 3'),
    ['e.yaml:5:83: /entities/shop/quorum must be between 1 and the number of locations (2)']],
  ['a quorum of 0', ENTITY('locations: [fra], quorum: 0'),
    ['e.yaml:5:76: /entities/shop/quorum must be >= 1']],
  ['a site listed twice', ENTITY('locations: [fra, fra]'),
    ["e.yaml:5:67: /entities/shop/locations lists 'fra' more than once"]],
  ['locations on a push entity', 'probes:\n  fra: { token: "${PROBE_FRA_TOKEN}" }\nentities:\n  job: { type: push, token: "${PROBE_NYC_TOKEN}", locations: [fra] }\n',
    ["e.yaml:4:51: /entities/job has unknown property 'locations' (known: type, token, grace, interval, timeout, retry_interval, failure_threshold, success_threshold, dependencies, group, extra, description, notify, flapping)"]],
  ['a token written in the file', 'probes:\n  fra: { token: plain-text-token-1234 }\nentities:\n  a: { type: ping, host: 127.0.0.1 }\n',
    ['e.yaml:2:17: /probes/fra/token must come from the environment: write ${NAME}, not the token itself']],
  ['a probe named local', 'probes:\n  local: { token: "${PROBE_FRA_TOKEN}" }\nentities:\n  a: { type: ping, host: 127.0.0.1 }\n',
    ["e.yaml:2:3: /probes: 'local' is the pulsemap instances themselves; give the probe's site another name"]],
  ['a short token', 'probes:\n  fra: { token: "${SHOP_KEY}" }\nentities:\n  a: { type: ping, host: 127.0.0.1 }\n',
    ['e.yaml:2:17: /probes/fra/token must be at least 16 characters long']],
];

for (const [what, yaml, expected] of cases) {
  test(`rejects ${what}, pointing at it`, () => assert.deepEqual(problemsOf(yaml, ENV), expected));
}
