// One fixture per kind of mistake, each with the exact lines a user would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, formatProblem, loadConfig, parseConfig } from '../../src/config/load.ts';
import { DEFAULT_CONFIG_MAX_BYTES as MAX_CONFIG_BYTES } from '../../src/config/limits.ts';
import { cases, HOST_RULE, inline } from './load-cases.ts';

const fixtures = new URL('../fixtures/config/', import.meta.url);

function problems(name: string, env: NodeJS.ProcessEnv = {}): string[] {
  const text = readFileSync(new URL(name, fixtures), 'utf8');
  const result = parseConfig(text, name, env);
  assert.ok('errors' in result, `${name} should be rejected`);
  return result.errors.map(formatProblem);
}

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
      'follow_redirects, expect, interval, timeout, retry_interval, failure_threshold, success_threshold, dependencies, group, extra, description, notify, flapping, locations, quorum)',
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

test('checks.max_in_flight is read from the file, 1000 when absent', () => {
  const entities = 'entities:\n  a:\n    type: ping\n    host: h\n';
  const set = parseConfig(`checks:\n  max_in_flight: 50\n${entities}`, 'c.yaml', {});
  assert.ok('config' in set);
  assert.equal(set.config.checks.max_in_flight, 50);
  const unset = parseConfig(entities, 'c.yaml', {});
  assert.ok('config' in unset);
  assert.equal(unset.config.checks.max_in_flight, 1000);
});
