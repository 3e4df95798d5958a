// The schema is also documentation: editors show each property's description while typing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schema } from '../../src/config/schema.ts';

type Node = Record<string, unknown>;

function walk(node: unknown, path: string, visit: (node: Node, path: string) => void): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`, visit));
  visit(node as Node, path);
  for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`, visit);
}

test('every property has a description', () => {
  const missing: string[] = [];
  walk(schema, '#', (node, path) => {
    if (path.includes('/if')) return; // the type switch, not a property anyone writes
    for (const key of ['properties', 'patternProperties'] as const) {
      const props = node[key];
      if (typeof props !== 'object' || props === null) continue;
      for (const [name, sub] of Object.entries(props)) {
        if (typeof (sub as Node).description !== 'string') missing.push(`${path}/${key}/${name}`);
      }
    }
  });
  assert.deepEqual(missing, []);
});

test('every object is closed to unknown keys', () => {
  const open: string[] = [];
  walk(schema, '#', (node, path) => {
    // Maps of user-chosen names (entities, channels under notify, headers, extra, expect.json)
    // constrain their values instead; an entity's or channel's branch closes it.
    const chosen = ['/$defs/entity', '/$defs/channel', '#/properties/notify'].some((end) => path.endsWith(end));
    if (node.properties && node.additionalProperties !== false && !chosen) open.push(path);
  });
  assert.deepEqual(open.filter((p) => !p.includes('/if')), []);
});

test('the schema offers exactly the registered check types and channels', async () => {
  const { CHECK_TYPES } = await import('../../src/checks/registry.ts');
  const { CHANNEL_NAMES } = await import('../../src/alerts/channel-registry.ts');
  const defs = schema.$defs as Record<string, Node>;
  const typeEnum = ((defs.entity!.properties as Node).type as Node).enum as string[];
  assert.deepEqual([...typeEnum].sort(), Object.keys(CHECK_TYPES).sort());
  for (const type of typeEnum) assert.ok(defs[type], `a $defs branch for ${type}`);
  const notify = ((schema.properties as Node).notify as Node).properties as Node;
  for (const name of CHANNEL_NAMES) assert.ok(notify[name], `a notify.${name} section`);
  const channelEnum = ((defs.channel!.properties as Node).type as Node).enum as string[];
  assert.deepEqual([...channelEnum].sort(), [...CHANNEL_NAMES].sort(), 'named channels offer every type');
});
