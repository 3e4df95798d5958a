// The size and nesting limits: clear errors with a place, before the YAML parser is involved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, formatProblem, loadConfig, parseConfig } from '../../src/config/load.ts';
import { configMaxBytes, DEFAULT_CONFIG_MAX_BYTES, nestingTooDeep } from '../../src/config/limits.ts';

let dir: string;
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-limits-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = 'entities:\n  a:\n    type: ping\n    host: h\n    extra:\n';

/** A valid-looking file of about `bytes` bytes: many small entities. */
function bigFile(bytes: number): string {
  const one = (i: number) => `  e${i}:\n    type: ping\n    host: host-${i}.example\n`;
  const parts = ['entities:\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < bytes; i++) { const s = one(i); parts.push(s); size += s.length; }
  return parts.join('');
}

test('a 20 MB file is refused as a whole, by its size, without parsing it', async () => {
  const file = path.join(dir, 'huge.yaml');
  writeFileSync(file, bigFile(20 * 1024 * 1024));
  await assert.rejects(loadConfig(file, {}), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, `${file}: the file is 20.1 MB, over the limit of 8 MB; split it up or raise PULSEMAP_CONFIG_MAX_BYTES`);
    return true;
  });
});

test('PULSEMAP_CONFIG_MAX_BYTES sets the limit, in bytes or with a K/M/G suffix', async () => {
  const file = path.join(dir, 'medium.yaml');
  writeFileSync(file, bigFile(100 * 1024));
  await assert.rejects(loadConfig(file, { PULSEMAP_CONFIG_MAX_BYTES: '64K' }), /: the file is 100(\.\d)? KB, over the limit of 64 KB;/);
  const config = await loadConfig(file, { PULSEMAP_CONFIG_MAX_BYTES: '128K' });
  assert.ok(config.entities.length > 2000);
  assert.equal(configMaxBytes('f', { PULSEMAP_CONFIG_MAX_BYTES: '1048576' }), 1024 * 1024);
  assert.equal(configMaxBytes('f', { PULSEMAP_CONFIG_MAX_BYTES: '512K' }), 512 * 1024);
  assert.equal(configMaxBytes('f', { PULSEMAP_CONFIG_MAX_BYTES: '1GiB' }), 1024 * 1024 * 1024);
  assert.equal(configMaxBytes('f', {}), DEFAULT_CONFIG_MAX_BYTES);
  assert.throws(() => configMaxBytes('f', { PULSEMAP_CONFIG_MAX_BYTES: 'lots' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.message, "f: PULSEMAP_CONFIG_MAX_BYTES must be a size such as 4194304 or 8M, not 'lots'");
    return true;
  });
});

test('text over the limit is refused by parseConfig too (edits through the API)', () => {
  const result = parseConfig(bigFile(2048), 'e.yaml', { PULSEMAP_CONFIG_MAX_BYTES: '1K' });
  assert.ok('errors' in result);
  assert.match(formatProblem(result.errors[0]!), /^e\.yaml: the file is 2(\.\d)? KB, over the limit of 1 KB; /);
});

// The maps down to k's are 4 deep (the document, entities, a, extra): the 61st bracket opens the 65th level.
const deep: [title: string, text: string, expected: string][] = [
  ['10,000 nested flow lists', `${HEAD}      k: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 'e.yaml:6:70:'],
  ['10,000 nested flow maps', `${HEAD}      k: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`, 'e.yaml:6:250:'],
  ['1,000 levels of indented maps', HEAD + Array.from({ length: 1000 }, (_, i) => `${' '.repeat(6 + i)}k:\n`).join('') + `${' '.repeat(1006)}v: 1\n`, 'e.yaml:67:68:'],
  ['a line of 1,000 list markers', `${HEAD}      k:\n        ${'- '.repeat(1000)}x\n`, 'e.yaml:7:9:'],
];

for (const [title, text, place] of deep) {
  test(`${title}: refused at the place nesting passes 64 levels, quickly and without a stack overflow`, () => {
    const result = parseConfig(text, 'e.yaml', {});
    assert.ok('errors' in result);
    assert.equal(result.errors.length, 1);
    assert.equal(formatProblem(result.errors[0]!), `${place} maps and lists nest more than 64 levels deep here; refusing the file`);
  });
}

test('nesting that real files use is not counted as deep', () => {
  const text = [
    'defaults: &d { interval: 60, timeout: 5 }',
    'entities:',
    '  a:',
    '    type: api',
    '    url: "http://h/[x]?q={a}"',
    "    body: '[[[[ {{{{'",
    '    headers: { X-A: "[", X-B: "{" }',
    '    extra: { note: "a[1] b{2}", list: [[1, 2], [3, [4, [5]]]] }   # [[[[ in a comment',
    '    message: |',
    '      [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
    '    dependencies:',
    '      - b',
    '    <<: *d',
  ].join('\n');
  // The deepest value, 5, sits 8 levels down: the document, entities, a, extra, list and 3 lists.
  assert.equal(nestingTooDeep(text, 8), null);
  assert.equal(nestingTooDeep(text, 7), text.indexOf('[5]'));
});
