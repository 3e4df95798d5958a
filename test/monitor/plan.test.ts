// What a reload changed, as its log line names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeChange, diffConfig } from '../../src/monitor/plan.ts';
import { configOf, pingEntity } from '../helpers/entities.ts';

const before = new Map([pingEntity('a'), pingEntity('b'), pingEntity('c')].map((e) => [e.name, e]));

const cases: [title: string, next: ReturnType<typeof pingEntity>[], expected: ReturnType<typeof describeChange>][] = [
  ['nothing changed (a comment, or a setting outside entities)', [pingEntity('a'), pingEntity('b'), pingEntity('c')], { added: [], removed: [], changed: [] }],
  ['one added, one removed, one changed', [pingEntity('a'), pingEntity('c', [], { interval: 5 }), pingEntity('d')], { added: ['d'], removed: ['b'], changed: ['c'] }],
  ['moved to another line only: not a change', [pingEntity('c', [], { line: 40 }), pingEntity('b'), pingEntity('a')], { added: [], removed: [], changed: [] }],
];

for (const [title, next, expected] of cases) {
  test(`describeChange: ${title}`, () => {
    assert.deepEqual(describeChange(diffConfig(before, configOf(next))), expected);
  });
}

test('describeChange names at most `limit` entities of each kind and counts the rest', () => {
  const many = Array.from({ length: 25 }, (_, i) => pingEntity(`n${i}`));
  const change = describeChange(diffConfig(new Map(), configOf(many)), 20);
  assert.equal(change.added.length, 21);
  assert.equal(change.added[19], 'n19');
  assert.equal(change.added[20], 'and 5 more');
});
