// The test files themselves: node:test starts a file's first test as soon as it is registered,
// so a top-level `await` after it can let that test end, and the file's after() hooks run,
// before the tests below the await are even registered (they then meet closed fixtures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST = fileURLToPath(new URL('./', import.meta.url));

/** Top-level lines (no indentation) that await, after the first top-level test() or describe(). */
function lateAwaits(text: string): number[] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /^(test|describe|suite|it)\(/.test(l));
  if (first < 0) return [];
  const late: number[] = [];
  for (let i = first + 1; i < lines.length; i++) if (/^(?:(?:const|let|var)\s[^=]+=\s*)?await\b/.test(lines[i]!)) late.push(i + 1);
  return late;
}

test('the rule sees an await between two tests, and none before the first', () => {
  assert.deepEqual(lateAwaits("const a = await x();\ntest('a', () => {});\nconst db = await y();\ntest('b', () => {});\n"), [3]);
  assert.deepEqual(lateAwaits("const a = await x();\ntest('a', async () => {\n  await z();\n});\n"), []);
});

test('no test file awaits at its top level once its first test is registered', () => {
  const files = readdirSync(TEST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts'));
  assert.ok(files.length > 50, 'the walk found the test files');
  const found = files.flatMap((f) => lateAwaits(readFileSync(join(TEST, f), 'utf8')).map((line) => `${f}:${line}`));
  assert.deepEqual(found, []);
});
