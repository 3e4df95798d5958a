import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMap, mapSource } from '../../src/map/source.ts';
import { indexGraph } from '../../src/map/graph.ts';
import { buildView } from '../../src/map/views.ts';
import { layoutMap } from '../../src/map/layout.ts';
import { composeSvg } from '../../src/map/compose.ts';
import { cleanText, escapeCell } from '../../src/map/escape.ts';
import type { Config } from '../../src/types.ts';
import { apiEntity, configOf, pingEntity } from '../helpers/entities.ts';
import { countEntityNodes, entityCells, foreignMarkup, mulberry32, stateOf } from './helpers.ts';

/** Three entities with the hostile text everywhere a user or a target can put text. */
function hostileConfig(text: string): Config {
  return configOf([
    apiEntity(`api${text}`, 'http://x', ['db'], { group: text, extra: { [text]: text, runs_in: text } }),
    pingEntity('db', [], { group: text }),
    pingEntity(text === '' ? 'empty' : text, ['db']),
  ], { title: text });
}

function render(config: Config, message: string) {
  const model = buildMap(config, (name) => stateOf(name, {
    status: 'blocked', blocked_by: 'db', message, latency_ms: 12, success_count: 1, fail_count: 1,
    extra: { size: message, http_status: 503, [message]: message },
  }));
  const live = mapSource(model, 'live');
  const layout = mapSource(model, 'layout');
  return { model, live: live.source, layoutSource: layout.source, svg: composeSvg(layoutMap(layout), model) };
}

function assertContained(text: string): void {
  const { live, layoutSource, svg } = render(hostileConfig(text), text);
  assert.equal(countEntityNodes(live), 3, 'live source: one node per entity');
  assert.equal(countEntityNodes(layoutSource), 3, 'layout source: one node per entity');
  assert.equal(entityCells(svg), 3, 'SVG: one cell per entity');
  assert.deepEqual(foreignMarkup(svg), []);
  assert.doesNotMatch(svg, /<desc/, 'the source is not embedded');
  // XML 1.0 allows neither these characters nor unpaired surrogates: a browser would reject the map.
  assert.doesNotMatch(svg, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  assert.ok(svg.isWellFormed(), 'no lone surrogates');
  // A smuggled directive would recolour: every fill stays one of ours.
  assert.doesNotMatch(svg, /fill="#000"/);
  const directives = live.split('\n').filter((l) => l.startsWith('#'));
  assert.ok(directives.every((l) => /^#(title|direction|ranker|lineWidth|spacing|stroke|fill|font|background|\.\w+):/.test(l)), directives.join('\n'));
}

const hostile: [string, string][] = [
  ['closing bracket', 'a]b'],
  ['compartment bar', 'a|b'],
  ['line separator', 'a;b'],
  ['classifier', '<down>'],
  ['script tag', '<script>alert(1)</script>'],
  ['directive after a newline', 'x\n#.ok: fill=#000\n#.blocked: fill=#000'],
  ['directive at the start', '#.node: fill=#000'],
  ['trailing backslash', 'abc\\'],
  ['backslash n', 'a\\nb'],
  ['edge syntax', '[a] -> [b]'],
  ['comment', '// nothing'],
  ['quotes and ampersands', `"'&amp;&lt;`],
  ['replacement patterns', "$&$' $` $1"],
  ['CJK and emoji', '数据库 🚀 👩‍💻'],
  ['lone surrogate', 'a\uD800b'],
  ['bidi override', 'abc\u202Edef'],
  ['control characters', 'a\u0000b\u0007c\u001b[31m'],
  ['only spaces', '   '],
  ['10 kB', `${'[|;<>\\#'.repeat(1500)}${'x'.repeat(100)}`.slice(0, 10_240)],
];

for (const [name, text] of hostile) {
  test(`hostile text is contained: ${name}`, () => assertContained(text));
}

test('group names are contained in the overview and the group view too (cell text and data-group)', () => {
  for (const [, text] of hostile) {
    if (cleanText(text) === '') continue;
    const graph = indexGraph(hostileConfig(text));
    const top = text.split('/')[0]!;
    for (const spec of [{ kind: 'overview' }, { kind: 'group', path: text.replace(/^\/+|\/+$/g, '') }] as const) {
      if (spec.kind === 'group' && (spec.path === '' || !graph.groups.has(spec.path))) continue;
      const model = buildView(graph, (name) => stateOf(name, { status: 'error', message: text }), spec);
      const ids = new Set(model.nodes.map((n) => n.id));
      assert.ok(model.edges.length > 0 && model.edges.every((e) => ids.has(e.from) && ids.has(e.to)), `${spec.kind}: edges join cells ${JSON.stringify(text)}`);
      const layout = mapSource(model, 'layout');
      const svg = composeSvg(layoutMap(layout), model);
      assert.equal(countEntityNodes(mapSource(model, 'live').source), model.nodes.length, `${spec.kind}: one node per cell`);
      assert.deepEqual(foreignMarkup(svg), []);
      assert.ok(svg.isWellFormed());
      assert.doesNotMatch(svg, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
      if (spec.kind === 'overview') assert.equal((svg.match(/ data-group="/g) ?? []).length, 1, JSON.stringify(text));
      if (spec.kind === 'overview' && top.isWellFormed() && !/[\u0000-\u001F\uFFFE\uFFFF]/.test(top)) {
        assert.ok(svg.includes(` data-group="${top.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')}"`), JSON.stringify(text));
      }
    }
  }
});

test('escaped text reads back as the original (nomnoml unescapes it)', () => {
  const text = 'a]b|c;d<e>f\\g#h`i';
  const { svg } = render(configOf([pingEntity('db', [], { extra: { note: text } })]), 'm');
  assert.match(svg, />note: a\]b\|c;d&lt;e&gt;f\\g#h`i</);
});

test('the script tag reaches the SVG only as text', () => {
  const { svg } = render(hostileConfig('<script>alert(1)</script>'), 'x');
  assert.match(svg, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(svg, /<script/i);
});

test('cleanText: one line, no control characters, bounded length', () => {
  assert.equal(cleanText('a\nb\r\nc\td'), 'a b c d');
  assert.equal(cleanText('a\u0000b\u001bc\u202Ed\uD800'), 'a b c d\uFFFD');
  assert.equal(cleanText('x'.repeat(100)).length, 48);
  assert.ok(cleanText('x'.repeat(100)).endsWith('…'));
  assert.equal(escapeCell(''), '-');
  assert.equal(escapeCell('[a|b]'), '\\[a\\|b\\]');
});

const ALPHABET = [...'[]|;<>\\#`-/:=&"\' \n\r\tab01_.', '<down>', '->', '-/-', '\u2028', '\uD83D', '数', '🚀', '\u202E', '&lt;', ']]', '[<', '#.ok: fill=#000'];

test('randomized: generated strings never throw, never change the node count, never put markup into the SVG', () => {
  const random = mulberry32(20261121);
  for (let i = 0; i < 150; i++) {
    const length = Math.floor(random() * 40);
    let text = '';
    for (let k = 0; k < length; k++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
    assert.doesNotThrow(() => assertContained(text), `case ${i}: ${JSON.stringify(text)}`);
  }
});
