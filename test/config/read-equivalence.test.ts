// The quick read (js-yaml, no positions) and the full read (`yaml` with positions) must read every
// file alike: the same Config for a valid file, the same problems (with line:column) otherwise.
// parseConfig tries the quick read first; parseWithPositions is the full read alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseConfig, parseWithPositions, quickParse } from '../../src/config/load.ts';
import { fastRead, FAST_MAX_ALIASES } from '../../src/config/fast-read.ts';
import { estateShape, estateYaml } from '../../bench/samples.ts';
import { cases, inline } from './load-cases.ts';

const ENV = { DB_PASSWORD: 'pw', TELEGRAM_BOT_TOKEN: '123:abc', FOLD_DB_PASSWORD: 'x', EVERY: '30', ON: 'true', PORT: '5432' };

/**
 * Reads `text` both ways, with no environment and with ENV (which sets every variable used here),
 * and asserts they agree; returns whether the quick read served, under each.
 */
function sameBothWays(text: string, label: string): { quick: boolean; quickWithoutEnv: boolean } {
  const served: boolean[] = [];
  for (const env of [{}, ENV]) {
    const full = parseWithPositions(text, 'e.yaml', env);
    assert.deepEqual(parseConfig(text, 'e.yaml', env), full, `${label}: parseConfig and the full read differ`);
    const fast = quickParse(text, 'e.yaml', env);
    if (fast) {
      assert.ok('config' in full, `${label}: the quick read accepted what the full read rejects: ${'errors' in full ? full.errors[0]?.message : ''}`);
      assert.deepEqual(fast, full, `${label}: the quick read gives another Config`);
    }
    served.push(fast !== null);
  }
  return { quickWithoutEnv: served[0]!, quick: served[1]! };
}

function fixtureFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? fixtureFiles(new URL(`${d.name}/`, dir)) : d.name.endsWith('.yaml') ? [new URL(d.name, dir)] : []);
}

test('every fixture in test/fixtures reads alike both ways', () => {
  const files = fixtureFiles(new URL('../fixtures/', import.meta.url));
  assert.ok(files.length >= 20);
  const quick = files.filter((f) => sameBothWays(readFileSync(f, 'utf8'), f.pathname).quickWithoutEnv).map((f) => f.pathname.split('/').pop());
  // The valid ones are read the quick way (else this test would compare the full read with itself).
  assert.ok(quick.includes('good-small.yaml'), `read quickly: ${quick.join(', ')}`);
  // Every fixture of a rejected file is rejected with the same lines whichever way is tried first.
  for (const [fixture] of cases) assert.ok(!quick.includes(fixture), `${fixture} must not pass the quick read`);
});

test('the shipped entities.yaml and the benchmark estate are read quickly, to the same Config', () => {
  assert.equal(sameBothWays(readFileSync(new URL('../../entities.yaml', import.meta.url), 'utf8'), 'entities.yaml').quick, true);
  assert.equal(sameBothWays(estateYaml(estateShape(1_000), 'http://127.0.0.1:9/health'), 'estate').quick, true);
});

for (const [title, yaml] of inline) {
  test(`reads alike both ways: ${title}`, () => {
    assert.equal(sameBothWays(yaml, title).quickWithoutEnv, false);
  });
}

const PING = '{ type: ping, host: h }';

// YAML 1.1 against 1.2, merges, anchors and aliases, keys, quoting: each must read alike; `quick`
// says whether the quick read serves it (false: it must hand over to the full read).
const yamlCases: [title: string, yaml: string, quick: boolean][] = [
  ['yes/no/on/off are strings in YAML 1.2', `entities:\n  a: { type: ping, host: h, extra: { a: yes, b: no, c: on, d: off, e: y, f: True, g: FALSE } }\n`, true],
  ['numbers: octal, hex, signs, exponents', 'entities:\n  a: { type: ping, host: h, extra: { o: 0o17, old: 0777, x: 0x1F, p: +12, n: -0, e: 1e3, f: 1.50, big: 12345678901234567890, dot: .5, u: 1_000, b: 0b101, v: 1.2.3 } }\n', true],
  ['infinities and NaN (not numbers to the schema)', 'entities:\n  a: { type: ping, host: h, extra: { i: .inf, m: -.Inf, z: .NaN, q: .NAN } }\n', false],
  ['null forms (refused where a string belongs)', 'entities:\n  a: { type: ping, host: h, description: ~ }\n  b: { type: ping, host: h, description: Null }\n  c: { type: ping, host: h, description: }\n', false],
  ['dates and times stay text', 'entities:\n  a: { type: ping, host: h, extra: { d: 2026-12-02, t: 2026-12-02T03:00:00Z } }\n', true],
  ['a merge key with one map', `x-d: &d { interval: 30, timeout: 2 }\nentities:\n  a: { <<: *d, type: ping, host: h }\n  b: { type: ping, host: h, <<: *d, interval: 5 }\n`, true],
  ['a merge key with a list of maps, the first winning', 'x-a: &a { interval: 30 }\nx-b: &b { interval: 40, timeout: 3 }\nentities:\n  a:\n    <<: [*a, *b]\n    type: ping\n    host: h\n', true],
  ['a merge written before an explicit key, block style', 'x-d: &d\n  interval: 30\n  type: api\nentities:\n  a:\n    <<: *d\n    type: ping\n    host: h\n', true],
  ['a quoted "<<" is an ordinary (unknown) key', `entities:\n  a: { type: ping, host: h, "<<": { interval: 5 } }\n`, false],
  ['an alias to a list', 'x-deps: &deps [b]\nentities:\n  a: { type: ping, host: h, dependencies: *deps }\n  b: ' + PING + '\n', true],
  ['an alias to a scalar', 'x-h: &h example.test\nentities:\n  a: { type: ping, host: *h }\n', false],
  ['an alias to a ${VAR} scalar, as a number', 'x-i: &i "${EVERY}"\nentities:\n  a: { type: ping, host: h, interval: *i }\n', false],
  [`${FAST_MAX_ALIASES} aliases`, `x-d: &d { interval: 30 }\nentities:\n${Array.from({ length: FAST_MAX_ALIASES }, (_, i) => `  e${i}: { <<: *d, type: ping, host: h }\n`).join('')}`, true],
  [`${FAST_MAX_ALIASES + 1} aliases`, `x-d: &d { interval: 30 }\nentities:\n${Array.from({ length: FAST_MAX_ALIASES + 1 }, (_, i) => `  e${i}: { <<: *d, type: ping, host: h }\n`).join('')}`, false],
  ['501 uses of one anchor (refused by the alias limit)', `x-d: &d { interval: 30 }\nentities:\n${Array.from({ length: 501 }, (_, i) => `  e${i}: { <<: *d, type: ping, host: h }\n`).join('')}`, false],
  ['an alias before its anchor', 'entities:\n  a: { type: ping, host: h, extra: *x }\nx: &x { a: 1 }\n', false],
  ['a %YAML 1.1 directive', '%YAML 1.1\n---\nentities:\n  a: { type: ping, host: h, extra: { on: yes, mode: 0777 } }\n', false],
  ['a %YAML 1.2 directive', '%YAML 1.2\n---\nentities:\n  a: ' + PING + '\n', false],
  ['an explicit !!str tag', 'entities:\n  a: { type: ping, host: !!str 10 }\n', false],
  ['an explicit !!int tag on text', 'entities:\n  a: { type: ping, host: h, interval: !!int "30" }\n', false],
  ['entities named by numbers and words, in file order', 'entities:\n  b: ' + PING + '\n  "10": ' + PING + '\n  2: ' + PING + '\n  true: ' + PING + '\n  a: ' + PING + '\n', true],
  ['an entity named by a hex number', 'entities:\n  0x1F: ' + PING + '\n', false],
  ['an entity named null', 'entities:\n  ~: ' + PING + '\n', false],
  ['quoted entity names with escapes', 'entities:\n  "a\\u0062": ' + PING + "\n  'c''d': " + PING + '\n', false],
  ['entities merged in from an anchor', 'x-e: &e\n  a: ' + PING + '\nentities:\n  <<: *e\n  b: ' + PING + '\n', false],
  ['a __proto__ key', 'entities:\n  a: { type: ping, host: h, extra: { __proto__: 1 } }\n', true],
  ['block scalars and folded text', 'entities:\n  a:\n    type: ping\n    host: h\n    description: |\n      line one\n        indented\n      line three\n  b:\n    type: ping\n    host: h\n    description: >-\n      folded\n      text\n\n      para\n', true],
  ['quoted strings with escapes', 'entities:\n  a: { type: ping, host: "h", description: "tab\\tand \\u00e9 and \\"q\\"", extra: { s: \'it\'\'s\' } }\n', true],
  ['multi-line plain and quoted scalars', 'entities:\n  a:\n    type: ping\n    host: h\n    description: one\n      two\n    extra:\n      q: "three\n        four"\n', true],
  ['a flow list closed at its parent\'s indentation', 'entities:\n  a:\n    type: ping\n    host: h\n    dependencies: [\n      b\n    ]\n  b: ' + PING + '\n', false],
  ['a flow list closed at the key\'s indentation', 'entities:\n  a: { type: ping, host: h, dependencies: [\n    b\n  ] }\n  b: ' + PING + '\n', false],
  ['comments everywhere', '# top\nentities: # the map\n  # a comment line\n  a: { type: ping, host: h } # trailing\n\n  b: # empty line above\n    type: ping\n    host: h\n', true],
  ['CRLF line endings', 'entities:\r\n  a: { type: ping, host: h }\r\n  b:\r\n    type: ping\r\n    host: h\r\n', true],
  ['a tab after a value', 'entities:\n  a: { type: ping, host: h }\t\n', true],
  ['a document end marker', 'entities:\n  a: ' + PING + '\n...\n', true],
  ['an explicit document start', '---\nentities:\n  a: ' + PING + '\n', true],
  ['a duplicate key through quoting', 'entities:\n  a: { type: ping, host: h, "type": ping }\n', false],
  ['a key overriding a merged one later', 'x-d: &d { host: g }\nentities:\n  a: { <<: *d, type: ping, host: h }\n', true],
  ['${VAR} values, whole and within text, and the $${ escape', 'notify:\n  telegram: { token: "${TELEGRAM_BOT_TOKEN}", chat_id: "1" }\nentities:\n  a: { type: ping, host: "h-${PORT:-1}", interval: "${EVERY:-60}", description: "$${literal}" }\n', true],
  ['${VAR} in a key stays text', 'entities:\n  a: { type: ping, host: h, extra: { "${PORT}": 1 } }\n', true],
  ['nesting at the limit of the quick parser', `entities:\n  a: { type: ping, host: h, extra: { x: ${'['.repeat(60)}1${']'.repeat(60)} } }\n`, false],
  ['an anchor ending in a colon', 'x: &a: { interval: 3 }\nentities:\n  a: ' + PING + '\n', false],
  ['a long implicit key', `entities:\n  ${'k'.repeat(1100)}: ${PING}\n`, false],
  ['a tab used as indentation', 'entities:\n\ta: ' + PING + '\n', false],
  ['nested mappings in a compact mapping', 'entities:\n  a: type: ping\n', false],
  ['an empty document with a comment', '# nothing\n', false],
];

for (const [title, yaml, quick] of yamlCases) {
  test(`reads alike both ways: ${title}`, () => {
    assert.equal(sameBothWays(yaml, title).quick, quick, quick ? 'expected the quick read to serve' : 'expected the full read to decide');
  });
}

test('the quick read keeps each entity at the line of its key, in file order', () => {
  const reading = fastRead('title: t\n\nentities:\n  b: { type: ping, host: h }\n  # note\n  a:\n    type: ping\n    host: h\n  "c": { type: ping, host: h }\n');
  assert.deepEqual(reading?.entities, [{ name: 'b', line: 4 }, { name: 'a', line: 6 }, { name: 'c', line: 9 }]);
});
