import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coerceScalar, substitute } from '../../src/config/env.ts';

const env = { TOKEN: 'abc', EMPTY: '', PORT: '9000' };

const cases: [text: string, value: string, missing: string[], invalid: string[], whole: boolean][] = [
  ['plain text', 'plain text', [], [], false],
  ['${TOKEN}', 'abc', [], [], true],
  ['Bearer ${TOKEN}', 'Bearer abc', [], [], false],
  ['${UNSET}', '', ['UNSET'], [], true],
  ['${UNSET:-fallback}', 'fallback', [], [], true],
  ['${EMPTY:-fallback}', 'fallback', [], [], true],
  ['${EMPTY}', '', [], [], true],
  ['${UNSET:-}', '', [], [], true],
  ['http://h:${PORT:-8000}/x', 'http://h:9000/x', [], [], false],
  ['$${TOKEN}', '${TOKEN}', [], [], false],
  ['cost: $5, $TOKEN', 'cost: $5, $TOKEN', [], [], false],
  ['${A}${B}', '', ['A', 'B'], [], false],
  ['${1BAD}', '${1BAD}', [], ['${1BAD}'], false],
  ['${TOKEN', '${TOKEN', [], ['${TOKEN'], false],
  // One pass only: a value that itself contains ${...} is not expanded again.
  ['${NESTED}', '${TOKEN}', [], [], true],
];

for (const [text, value, missing, invalid, whole] of cases) {
  test(`substitute ${JSON.stringify(text)}`, () => {
    const s = substitute(text, { ...env, NESTED: '${TOKEN}' });
    assert.deepEqual({ value: s.value, missing: s.missing, invalid: s.invalid, whole: s.whole }, { value, missing, invalid, whole });
  });
}

test('coerceScalar converts only what reads as the wanted type', () => {
  assert.equal(coerceScalar('30', ['number']), 30);
  assert.equal(coerceScalar('2.5', ['number']), 2.5);
  assert.equal(coerceScalar('2.5', ['integer']), undefined);
  assert.equal(coerceScalar('-100123', ['string', 'integer']), -100123);
  assert.equal(coerceScalar('30s', ['number']), undefined);
  assert.equal(coerceScalar('', ['number']), undefined);
  assert.equal(coerceScalar('true', ['boolean']), true);
  assert.equal(coerceScalar('yes', ['boolean']), undefined);
});
