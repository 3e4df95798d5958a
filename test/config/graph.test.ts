import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDependencies, dependencyOrder, findCycles } from '../../src/config/graph.ts';

const graph = (spec: Record<string, string[]>) => new Map(Object.entries(spec));

const cycleCases: [title: string, spec: Record<string, string[]>, cycles: string[][]][] = [
  ['none', { a: ['b'], b: [] }, []],
  ['two entities', { a: ['b'], b: ['a'] }, [['a', 'b', 'a']]],
  ['starts at the first in the file', { x: [], b: ['c'], c: ['b'] }, [['b', 'c', 'b']]],
  ['shortest way round', { a: ['b', 'c'], b: ['c'], c: ['a'] }, [['a', 'c', 'a']]],
  ['two separate cycles', { a: ['b'], b: ['a'], c: ['d'], d: ['c'] }, [['a', 'b', 'a'], ['c', 'd', 'c']]],
  ['self-references are not cycles here', { a: ['a'] }, []],
];

for (const [title, spec, cycles] of cycleCases) {
  test(`findCycles: ${title}`, () => assert.deepEqual(findCycles(graph(spec)), cycles));
}

test('checkDependencies points at the offending list item', () => {
  assert.deepEqual(checkDependencies(graph({ web: ['db', 'dbb'], db: ['db'], cache: ['web'] })), [
    { path: ['entities', 'web', 'dependencies', 1], at: 'value', message: "web: unknown dependency 'dbb' (did you mean 'db'?)" },
    { path: ['entities', 'db', 'dependencies', 0], at: 'value', message: 'db: depends on itself' },
  ]);
});

test('no suggestion when nothing is close', () => {
  assert.equal(checkDependencies(graph({ web: ['mail_server'], db: [] }))[0]!.message, "web: unknown dependency 'mail_server'");
});

test('a long chain does not overflow the stack', () => {
  const spec: Record<string, string[]> = {};
  for (let i = 0; i < 20000; i++) spec[`n${i}`] = i + 1 < 20000 ? [`n${i + 1}`] : ['n0'];
  const [cycle] = findCycles(graph(spec));
  assert.equal(cycle!.length, 20001);
});

test('dependencyOrder puts dependencies first and otherwise keeps file order', () => {
  assert.deepEqual(dependencyOrder(graph({ api: ['db', 'host'], db: ['host'], host: [], web: ['api'], other: [] })),
    ['host', 'db', 'api', 'web', 'other']);
  // Cycles cannot be ordered; their members still appear, last, in file order.
  assert.deepEqual(dependencyOrder(graph({ a: ['b'], b: ['a'], c: [] })), ['c', 'a', 'b']);
});
