// The module graph of src/ has no circles: contracts live in files of their own, registries
// import the plug-ins, plug-ins import only contracts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCycles } from '../src/config/graph.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+\.ts)'/g)].map((m) => normalize(join(dirname(file), m[1]!)));
}

test('no import cycles in src/, type-only imports included', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f));
  assert.ok(files.length > 50, 'the walk found the sources');
  const graph = new Map(files.map((f) => [relative(SRC, f), importsOf(f).map((i) => relative(SRC, i))]));
  assert.deepEqual(findCycles(graph), []);
});
