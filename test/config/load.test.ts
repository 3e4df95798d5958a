// One fixture per kind of mistake, each with the exact lines a user would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, formatProblem, loadConfig, parseConfig } from '../../src/config/load.ts';
import { DEFAULT_CONFIG_MAX_BYTES as MAX_CONFIG_BYTES } from '../../src/config/limits.ts';

const fixtures = new URL('../fixtures/config/', import.meta.url);

function problems(name: string, env: NodeJS.ProcessEnv = {}): string[] {
  const text = readFileSync(new URL(name, fixtures), 'utf8');
  const result = parseConfig(text, name, env);
  assert.ok('errors' in result, `${name} should be rejected`);
  return result.errors.map(formatProblem);
}

const HOST_RULE = "must be a hostname or an IP address (no leading '-', no spaces or shell characters)";

const cases: [fixture: string, expected: string[]][] = [
  ['syntax-error.yaml', ['syntax-error.yaml:5:19: this list opened with [ is never closed with ]']],
  ['duplicate-key.yaml', ["duplicate-key.yaml:6:5: duplicate key 'interval'"]],
  ['unknown-key.yaml', ["unknown-key.yaml:5:5: /entities/web has unknown property 'intervall' (did you mean 'interval'?)"]],
  ['wrong-type.yaml', ['wrong-type.yaml:5:14: /entities/web/timeout must be a number']],
  ['below-minimum.yaml', ['below-minimum.yaml:5:15: /entities/fold_db/interval must be >= 1']],
  ['missing-required.yaml', ["missing-required.yaml:2:3: /entities/fold_vds must have required property 'host'"]],
  ['bad-entity-name.yaml', [
    "bad-entity-name.yaml:2:3: /entities: entity name 'fold api' must start with a letter or digit and contain only letters, digits, _ . - (at most 64 characters)",
  ]],
  ['unknown-type.yaml', ['unknown-type.yaml:3:11: /entities/web/type must be one of: api, ping, database, tcp, dns, tls, push, command']],
  ['unset-env.yaml', ['unset-env.yaml:3:12: environment variable TELEGRAM_BOT_TOKEN is not set']],
  ['bad-reference.yaml', [
    "bad-reference.yaml:4:10: invalid variable reference '${PATH_PART': write ${NAME} or ${NAME:-default} (and $${ for a literal ${)",
  ]],
  ['unknown-dependency.yaml', ["unknown-dependency.yaml:5:20: fold_api: unknown dependency 'fold_dbb' (did you mean 'fold_db'?)"]],
  ['self-dependency.yaml', ['self-dependency.yaml:5:20: a: depends on itself']],
  ['cycle.yaml', ['cycle.yaml:5:20: dependency cycle: a -> b -> c -> a']],
  ['ping-option.yaml', [`ping-option.yaml:4:11: /entities/sneaky/host ${HOST_RULE}`]],
  ['ping-shell.yaml', [`ping-shell.yaml:4:11: /entities/sneaky/host ${HOST_RULE}`]],
  ['alias-bomb.yaml', ['alias-bomb.yaml:3:8: YAML aliases expand too much (limit 500); refusing what looks like an alias bomb']],
  ['bad-url-scheme.yaml', [
    'bad-url-scheme.yaml:4:10: /entities/web/url must be an http:// or https:// URL',
    'bad-url-scheme.yaml:7:10: /entities/db/url must be a postgres:// or postgresql:// URL',
  ]],
  ['get-with-body.yaml', ['get-with-body.yaml:5:5: /entities/web/body is not allowed with method GET']],
];

for (const [fixture, expected] of cases) {
  test(`rejects ${fixture}`, () => {
    assert.deepEqual(problems(fixture), expected);
  });
}

test('reports every problem in a file, sorted by position', () => {
  assert.deepEqual(problems('several-errors.yaml'), [
    'several-errors.yaml:3:13: /defaults/interval must be a number',
    'several-errors.yaml:8:13: /entities/fold_api/method must be one of: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    "several-errors.yaml:9:20: fold_api: unknown dependency 'fold_dbb' (did you mean 'fold_db'?)",
    "several-errors.yaml:10:5: /entities/fold_api has unknown property 'colour' (known: type, url, method, headers, body, " +
      'follow_redirects, expect, interval, timeout, retry_interval, failure_threshold, success_threshold, dependencies, group, extra, description, notify, flapping)',
    'several-errors.yaml:13:10: environment variable FOLD_DB_PASSWORD is not set',
    'several-errors.yaml:14:24: /entities/fold_db/failure_threshold must be >= 1',
    'several-errors.yaml:15:20: dependency cycle: fold_db -> fold_vds -> fold_db',
    `several-errors.yaml:18:11: /entities/fold_vds/host ${HOST_RULE}`,
  ]);
});

test('an alias bomb is refused quickly', () => {
  const started = performance.now();
  problems('alias-bomb.yaml');
  // Generous: the point is "does not expand 9^9 nodes", not speed.
  assert.ok(performance.now() - started < 2000);
});

test('a file over 8 MB is refused before it is parsed, counted in bytes, not characters', () => {
  const over = (text: string) => {
    const result = parseConfig(text, 'big.yaml', {});
    assert.ok('errors' in result);
    return result.errors.map(formatProblem);
  };
  assert.equal(MAX_CONFIG_BYTES, 8 * 1024 * 1024);
  // A valid file padded with a comment: size alone decides.
  const valid = 'entities: {}\n#';
  assert.ok('config' in parseConfig(valid + 'x'.repeat(1000), 'big.yaml', {}));
  assert.deepEqual(over(valid + 'x'.repeat(MAX_CONFIG_BYTES)), ['big.yaml: the file is 8.1 MB, over the limit of 8 MB; split it up or raise PULSEMAP_CONFIG_MAX_BYTES']);
  // Two bytes per character in UTF-8: half the limit in characters is already too much.
  assert.deepEqual(over(valid + 'é'.repeat(MAX_CONFIG_BYTES / 2)), ['big.yaml: the file is 8.1 MB, over the limit of 8 MB; split it up or raise PULSEMAP_CONFIG_MAX_BYTES']);
  assert.deepEqual(over(valid + 'x'.repeat(20 * 1024 * 1024)), ['big.yaml: the file is 20.1 MB, over the limit of 8 MB; split it up or raise PULSEMAP_CONFIG_MAX_BYTES']);
});

const inline: [title: string, yaml: string, expected: string[]][] = [
  ['an unclosed { in the middle of the file, at the brace', 'entities:\n  a: { type: ping, host: h\n  b:\n    type: ping\n    host: h\n', ['empty.yaml:2:6: this map opened with { is never closed with }']],
  ['an unclosed quote, at the quote', 'entities:\n  a:\n    type: ping\n    host: "h\n  b:\n    type: ping\n    host: h\n', ['empty.yaml:4:11: this quoted text never ends: close it with "']],
  ['an empty file', '', ["empty.yaml:1:1: top level must be a map"]],
  ['a missing entities map', 'title: x\n', ["empty.yaml:1:1: top level must have required property 'entities'"]],
  ['a missing value', 'entities:\n  a:\n    type: ping\n    host:\n', ['empty.yaml:4:5: /entities/a/host must be a string']],
  ['a list where a map belongs', 'entities:\n  - a\n', ['empty.yaml:2:3: /entities must be a map']],
  ['two documents', 'entities: {}\n---\nentities: {}\n', [
    'empty.yaml:2:1: Source contains multiple documents; please use YAML.parseAllDocuments()',
  ]],
  ['an unknown top-level key with no close match', 'entities: {}\nslack: {}\n', [
    "empty.yaml:2:1: top level has unknown property 'slack' (known: title, public_url, heartbeat_url, heartbeat_interval, cluster, defaults, notify, groups, retention, map, api_token, auth, entities, status_pages, announcements, maintenance, badges)",
  ]],
  ['a status out of range', 'entities:\n  a:\n    type: api\n    url: http://x.test/\n    expect: { status: [200, 700] }\n', [
    'empty.yaml:5:29: /entities/a/expect/status/1 must be <= 599',
  ]],
  ['a header value with a line break', 'entities:\n  a:\n    type: api\n    url: http://x.test/\n    headers: { X-A: "1\\r\\nX-B: 2" }\n', [
    'empty.yaml:5:21: /entities/a/headers/X-A must not contain line breaks',
  ]],
  ['an unquoted ${VAR} inside braces', 'entities:\n  a: { type: ping, host: ${H} }\n', [
    'empty.yaml:2:27: Unexpected flow-map-start at node end (inside { } or [ ], quote values that use ${...}: "${NAME}")',
  ]],
  ['keys that differ only in quoting', 'entities:\n  1: { type: ping, host: h }\n  "1": { type: ping, host: h }\n', [
    "empty.yaml:3:3: duplicate key '1'",
  ]],
  ['an unknown tag', 'entities:\n  a: { type: ping, host: !secret h }\n', ['empty.yaml:2:26: Unresolved tag: !secret']],
  ['a group path with an empty segment', 'entities:\n  a: { type: ping, host: h, group: eu//payments }\n', [
    'empty.yaml:2:36: /entities/a/group must be a group name or a path of them (eu/payments); each name starts with a letter or digit and contains only letters, digits, _ . - (at most 64 characters)',
  ]],
  ['a short api token', 'api_token: abc\nentities: {}\n', ['empty.yaml:1:12: /api_token must be at least 16 characters long']],
  ['a mistyped IPv4 address', 'entities:\n  a:\n    type: ping\n    host: 10.0.0.256\n', [`empty.yaml:4:11: /entities/a/host ${HOST_RULE}`]],
  ['an error inside an anchor used twice, once per use', 'x-t: &t { timeout: 0 }\nentities:\n  a: { type: ping, host: h, <<: *t }\n  b: { type: ping, host: h, <<: *t }\n', [
    'empty.yaml:1:20: /entities/a/timeout must be >= 0.1',
    'empty.yaml:1:20: /entities/b/timeout must be >= 0.1',
  ]],
];

for (const [title, yaml, expected] of inline) {
  test(`rejects ${title}`, () => {
    const result = parseConfig(yaml, 'empty.yaml', {});
    assert.ok('errors' in result);
    assert.deepEqual(result.errors.map(formatProblem), expected);
  });
}

test('loadConfig throws a ConfigError listing every problem, with the path as given', async () => {
  const file = 'test/fixtures/config/bad-url-scheme.yaml';
  await assert.rejects(loadConfig(file, {}), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 2);
    assert.equal(err.message, [
      `${file}:4:10: /entities/web/url must be an http:// or https:// URL`,
      `${file}:7:10: /entities/db/url must be a postgres:// or postgresql:// URL`,
    ].join('\n'));
    return true;
  });
});

test('loadConfig names a file it cannot read', async () => {
  await assert.rejects(loadConfig('test/fixtures/config/no-such-file.yaml', {}), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /^test\/fixtures\/config\/no-such-file\.yaml: cannot read: ENOENT/);
    return true;
  });
});

test('the shipped entities.yaml is valid without any environment', async () => {
  const config = await loadConfig(new URL('../../entities.yaml', import.meta.url).pathname, {});
  assert.deepEqual(config.entities.map((e) => [e.name, e.type]), [
    ['pulsemap_self', 'api'], ['localhost', 'ping'], ['postgres', 'database'],
  ]);
  assert.equal(config.entities[0]!.target, 'http://127.0.0.1:8000/health');
});
