import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDependencies, findCycles, walkGraph } from '../../src/config/graph.ts';
import type { WalkStep } from '../../src/config/graph.ts';

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

test('walkGraph visits each entity once: depth first in file order, or nearest first; skip and stop', () => {
  const deps = graph({ web: ['api', 'cache'], api: ['db', 'web'], cache: ['db'], db: ['host', 'ghost'], host: [] });
  const walk = (start: string, order?: 'depth' | 'breadth', visit: (n: string) => WalkStep | void = () => {}) => {
    const seen: string[] = [];
    walkGraph(start, (n) => deps.get(n), (n) => { seen.push(n); return visit(n); }, order);
    return seen;
  };
  assert.deepEqual(walk('web'), ['api', 'db', 'host', 'ghost', 'cache'], 'the cycle back to web is not followed');
  assert.deepEqual(walk('web', 'breadth'), ['api', 'cache', 'db', 'host', 'ghost']);
  assert.deepEqual(walk('web', 'depth', (n) => (n === 'db' ? 'skip' : undefined)), ['api', 'db', 'cache']);
  assert.deepEqual(walk('web', 'depth', (n) => (n === 'db' ? 'stop' : undefined)), ['api', 'db']);
  assert.deepEqual(walk('nobody'), []);
});
