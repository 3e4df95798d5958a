// Changes to entities.yaml as text: only what changes is touched, in the file's own style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addEntity, deleteEntity, EditRefused, renameEntity, replaceEntity } from '../../src/editing/entity-edit.ts';

const ping = { type: 'ping', host: 'h' };

const cases: [string, () => string, string][] = [
  ['a field added to a { } entity stays on its line, with the comment after it',
    () => replaceEntity('entities:\n  a: { type: ping, host: h }   # note\n', 'a', { ...ping, interval: 5 }),
    'entities:\n  a: { type: ping, host: h, interval: 5 }   # note\n'],
  ['a changed value in a { } entity keeps its quotes',
    () => replaceEntity('entities:\n  a: { type: ping, host: "h" }\n', 'a', { ...ping, host: 'h2' }),
    'entities:\n  a: { type: ping, host: "h2" }\n'],
  ['a nested field removed; the comments of the others stay',
    () => replaceEntity('entities:\n  a:\n    type: api\n    url: u   # the url\n    expect:\n      status: 200   # ok\n      body_contains: ok   # body\n', 'a', { type: 'api', url: 'u', expect: { status: 200 } }),
    'entities:\n  a:\n    type: api\n    url: u   # the url\n    expect:\n      status: 200   # ok\n'],
  ['a list written one item a line stays that way',
    () => replaceEntity('entities:\n  a:\n    type: ping\n    host: h\n    dependencies:\n      - b\n  b: { type: ping, host: h }\n  c: { type: ping, host: h }\n', 'a', { ...ping, dependencies: ['b', 'c'] }),
    'entities:\n  a:\n    type: ping\n    host: h\n    dependencies:\n      - b\n      - c\n  b: { type: ping, host: h }\n  c: { type: ping, host: h }\n'],
  ['a first entity in `entities: {}`',
    () => addEntity('title: x\nentities: {}\n', 'a', ping),
    'title: x\nentities:\n  a:\n    type: ping\n    host: h\n'],
  ['a new entity at the end of a file without a final newline',
    () => addEntity('entities:\n  a:\n    type: ping\n    host: h', 'b', ping),
    'entities:\n  a:\n    type: ping\n    host: h\n  b:\n    type: ping\n    host: h\n'],
  ['text that needs quotes is quoted; numbers as text stay text',
    () => replaceEntity('entities:\n  a:\n    type: api\n    url: u\n', 'a', { type: 'api', url: 'u', description: 'yes: no # x', extra: { port: '8000', on: true } }),
    'entities:\n  a:\n    type: api\n    url: u\n    description: "yes: no # x"\n    extra: { port: "8000", on: true }\n'],
  ['deleting the first entity leaves no blank line under `entities:`',
    () => deleteEntity('entities:\n  a:\n    type: ping\n    host: h\n\n  b:\n    type: ping\n    host: h\n', 'a'),
    'entities:\n  b:\n    type: ping\n    host: h\n'],
  ['deleting takes the entity\'s own comment and one blank line',
    () => deleteEntity('entities:\n  a: { type: ping, host: h }\n\n  # about b\n  b: { type: ping, host: h }\n\n  c: { type: ping, host: h }\n', 'b'),
    'entities:\n  a: { type: ping, host: h }\n\n  c: { type: ping, host: h }\n'],
  ['renaming changes a dependency list shared through an anchor once, where it is written',
    () => renameEntity('x-deps: &deps [db]\nentities:\n  db: { type: ping, host: h }\n  a: { type: ping, host: h, dependencies: *deps }\n', 'db', 'database'),
    'x-deps: &deps [database]\nentities:\n  database: { type: ping, host: h }\n  a: { type: ping, host: h, dependencies: *deps }\n'],
];

for (const [what, run, expected] of cases) {
  test(what, () => assert.equal(run(), expected));
}

test('refused: an alias entity, a shared anchor, a { } entities map, YAML errors, a name taken', () => {
  const refusals: [() => string, RegExp][] = [
    [() => replaceEntity('x: &p { type: ping, host: h }\nentities:\n  a: *p\n', 'a', ping), /written as an alias/],
    [() => deleteEntity('entities:\n  a: &p { type: ping, host: h }\n  b: *p\n', 'a'), /holds the anchor &p/],
    [() => replaceEntity('x: &h h\nentities:\n  a:\n    type: ping\n    host: *h\n', 'a', { ...ping, host: 'z' }), /anchor or alias shared/],
    [() => addEntity('entities: { a: { type: ping, host: h } }\n', 'b', ping), /written as \{ \.\.\. \}/],
    [() => addEntity('entities:\n  a: [\n', 'b', ping), /YAML errors/],
    [() => addEntity('entities:\n  a: { type: ping, host: h }\n', 'a', ping), /already exists/],
  ];
  for (const [run, message] of refusals) assert.throws(run, (err: unknown) => err instanceof EditRefused && message.test(err.message));
});
