// The editing API: conflicts (412), validation (422 with the messages `pulsemap validate` prints,
// pointing at the field), refusals of what cannot be edited faithfully, roles, and dry runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { ADMIN_TOKEN, AUTH, startEditRig } from './rig.ts';
import type { EditRig } from './rig.ts';

const base = `${AUTH}entities:
  a:
    type: ping
    host: 127.0.0.1   # loopback
    interval: 600
  b: { type: ping, host: 127.0.0.1, interval: 600, dependencies: [a] }
`;

let rig: EditRig;
before(async () => { rig = await startEditRig(base); });
after(() => rig.close());

test('the file edited by hand between GET and PUT: 412, and the hand edit survives', async () => {
  const { etag } = await rig.call('GET', '/config');
  const byHand = rig.read().replace('# loopback', '# loopback, edited by hand');
  rig.write(byHand);
  const res = await rig.call('PUT', '/entities/a', { headers: { 'if-match': etag! }, body: { type: 'ping', host: '127.0.0.2', interval: 600 } });
  assert.equal(res.status, 412);
  assert.match(res.body.error, /changed since you read it/);
  assert.equal(rig.read(), byHand);
  rig.write(base);
});

test('two concurrent writes with the same ETag: one succeeds, the other gets 412', async () => {
  const { etag } = await rig.call('GET', '/config');
  const [one, two] = await Promise.all([
    rig.call('PATCH', '/entities/a', { headers: { 'if-match': etag! }, body: { interval: 601 } }),
    rig.call('PATCH', '/entities/b', { headers: { 'if-match': etag! }, body: { interval: 602 } }),
  ]);
  assert.deepEqual([one.status, two.status].sort(), [200, 412]);
  const text = rig.read();
  assert.equal(text.includes('interval: 601') !== text.includes('interval: 602'), true, 'exactly one of them was written');
  rig.write(base);
  await rig.service.monitor.config();
});

/** What `pulsemap validate` says about the file the change would make. */
async function validateMessages(text: string): Promise<string[]> {
  const { writeFileSync } = await import('node:fs');
  const file = `${rig.dir}/candidate.yaml`;
  writeFileSync(file, text);
  try {
    await loadConfig(file, { EDITOR_TOKEN: 'editor-token-for-tests-0123', ADMIN_TOKEN });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => p.message);
  }
}

const invalid: [string, string, string, unknown, string[]][] = [
  ['a number below its minimum', 'PATCH', '/entities/a', { interval: 0 }, ['/entities/a/interval']],
  ['a wrong type', 'PATCH', '/entities/a', { timeout: 'soon' }, ['/entities/a/timeout']],
  ['an unknown field, with a suggestion', 'PATCH', '/entities/a', { intervall: 5 }, ['/entities/a/intervall']],
  ['an unknown type', 'POST', '/entities', { name: 'c', type: 'smtp', host: 'x' }, ['/entities/c/type']],
  ['a missing required field', 'POST', '/entities', { name: 'c', type: 'api' }, ['/entities/c']],
  ['a bad entity name', 'POST', '/entities', { name: 'bad name!', type: 'ping', host: 'h' }, ['/entities/bad name!']],
  ['an unknown dependency', 'PATCH', '/entities/a', { dependencies: ['nope'] }, ['/entities/a/dependencies/0']],
  ['a dependency cycle', 'PATCH', '/entities/a', { dependencies: ['b'] }, ['/entities/a/dependencies/0']],
  ['a dependency listed twice', 'PATCH', '/entities/b', { dependencies: ['a', 'a'] }, ['/entities/b/dependencies/0']],
  ['an empty group', 'PATCH', '/entities/a', { group: '' }, ['/entities/a/group']],
  ['a ping host that could be an option', 'PATCH', '/entities/a', { host: '-f' }, ['/entities/a/host']],
  ['a URL that does not parse', 'POST', '/entities', { name: 'c', type: 'api', url: 'http://' }, ['/entities/c/url']],
  ['a body with GET', 'POST', '/entities', { name: 'c', type: 'api', url: 'http://127.0.0.1/', body: 'x' }, ['/entities/c/body']],
  ['an unset variable', 'POST', '/entities', { name: 'c', type: 'api', url: '${NOT_SET_ANYWHERE}' }, ['/entities/c/url']],
  ['a malformed variable reference', 'POST', '/entities', { name: 'c', type: 'api', url: 'http://${BROKEN/' }, ['/entities/c/url']],
  ['deleting an entity others depend on', 'DELETE', '/entities/a', undefined, ['/entities/b/dependencies/0']],
];

for (const [what, method, url, body, paths] of invalid) {
  test(`422 with the validate message at the field: ${what}`, async () => {
    const before = rig.read();
    const dry = await rig.call(method, `${url}?dry_run=1`, { body });
    assert.equal(dry.status, 422, JSON.stringify(dry.body));
    const res = await rig.call(method, url, { body });
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), paths);
    assert.equal(rig.read(), before, 'nothing was written');
    // The same messages `pulsemap validate` prints for the file the change would have made.
    const { addEntity, deleteEntity, replaceEntity, entityFields, parseForEdit } = await import('../../src/editing/entity-edit.ts');
    const { mergePatch } = await import('../../src/editing/service.ts');
    const b = body as Record<string, unknown>;
    const candidate = method === 'POST' ? addEntity(before, b.name as string, Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'name')))
      : method === 'DELETE' ? deleteEntity(before, 'a')
        : replaceEntity(before, url.split('/')[2]!, mergePatch(entityFields(parseForEdit(before), url.split('/')[2]!), b) as Record<string, unknown>);
    assert.deepEqual(res.body.errors.map((e: { message: string }) => e.message), await validateMessages(candidate));
    assert.ok(res.body.error.startsWith('the change would make entities.yaml invalid:\n'));
  });
}

test('what cannot be edited faithfully is refused with a reason, and the file is left alone', async () => {
  const shared = `${AUTH}x-base: &base { type: ping, host: 127.0.0.1, interval: 600 }
entities:
  a: *base
  b:
    <<: *base
    dependencies: [a]
`;
  rig.write(shared);
  await rig.service.monitor.config();
  for (const [method, url, body, message] of [
    ['PATCH', '/entities/a', { interval: 5 }, /written as an alias/],
    ['PATCH', '/entities/b', { host: null }, /merge key/],
  ] as const) {
    const res = await rig.call(method, url, { body });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.match(res.body.error, message);
    assert.equal(rig.read(), shared);
  }
  // A merged field set in the entity itself overrides the merge: that is faithful, so it is done.
  const res = await rig.call('PATCH', '/entities/b', { body: { interval: 700 } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(rig.read(), shared.replace('    dependencies: [a]\n', '    dependencies: [a]\n    interval: 700\n'));
  rig.write(base);
});

test('roles: no token is 401; GET /config hides password hashes but keeps ${VAR} as written', async () => {
  const res = await fetch(`${rig.service.url.replace('localhost', '127.0.0.1')}/entities`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 401);
  const { hashPassword } = await import('../../src/auth/password.ts');
  const hash = await hashPassword('a-password', { N: 1024, r: 8, p: 1 });
  rig.write(base.replace('  tokens:\n', `  users:\n    - { name: ana, role: admin, password_hash: "${hash}" }\n  tokens:\n`));
  const config = await rig.call('GET', '/config');
  assert.equal(config.status, 200);
  assert.ok(!config.body.text.includes(hash.split('$').pop()!));
  assert.match(config.body.text, /password_hash: "<hidden>"/);
  assert.match(config.body.text, /token: "\$\{EDITOR_TOKEN\}"/);
  assert.ok(!JSON.stringify(config.body).includes('editor-token-for-tests-0123'));
  rig.write(base);
});

test('every write is in the audit log (admins only): who, when, what, and the diff', async () => {
  const res = await rig.call('PATCH', '/entities/a', { body: { interval: 900 } });
  assert.equal(res.status, 200);
  assert.equal((await rig.call('GET', '/audit')).status, 403, 'an editor may not read it');
  const audit = await rig.call('GET', '/audit?limit=1', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(audit.status, 200);
  assert.equal(audit.body.length, 1);
  const [entry] = audit.body;
  assert.deepEqual({ by: entry.by, action: entry.action, entity: entry.entity }, { by: 'deploy-bot', action: 'update', entity: 'a' });
  assert.ok(Math.abs(Date.parse(entry.at) - Date.now()) < 60_000);
  assert.equal(entry.diff, res.body.diff);
  assert.match(entry.diff, /^@@ .* @@\n(.*\n)*-    interval: 600\n\+    interval: 900\n/);
  assert.equal((await rig.call('GET', '/audit?limit=0', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 400);
  rig.write(base);
});

test('a dry run answers with the diff and writes nothing; an unchanged entity is not written', async () => {
  const before = rig.read();
  const dry = await rig.call('PATCH', '/entities/a?dry_run=1', { body: { interval: 5 } });
  assert.equal(dry.status, 200);
  assert.equal(dry.body.dry_run, true);
  assert.match(dry.body.diff, /\+    interval: 5\n/);
  assert.equal(rig.read(), before);
  const same = await rig.call('PATCH', '/entities/a', { body: { interval: 600 } });
  assert.equal(same.status, 200);
  assert.equal(same.body.changed, false);
  assert.equal(rig.read(), before);
  assert.equal((await rig.call('PATCH', '/entities/nope', { body: { interval: 5 } })).status, 404);
  assert.equal((await rig.call('POST', '/entities', { body: { name: 'a', type: 'ping', host: 'h' } })).status, 409);
  const bad = await fetch(`${rig.service.url.replace('localhost', '127.0.0.1')}/entities/a`, {
    method: 'PATCH', headers: { authorization: 'Bearer editor-token-for-tests-0123', 'content-type': 'application/json' }, body: '{not json',
  });
  assert.equal(bad.status, 400);
});

test('a file grown over the size limit by hand: reads and edits are refused with the reason (409), nothing written', async () => {
  const small = await startEditRig(base, { PULSEMAP_CONFIG_MAX_BYTES: String(base.length + 100) });
  try {
    const { etag } = await small.call('GET', '/config');
    const grown = `${base}# ${'x'.repeat(200)}\n`;
    small.write(grown);
    const read = await small.call('GET', '/config');
    assert.equal(read.status, 409);
    assert.match(read.body.error, /entities\.yaml cannot be edited: the file is \d+ bytes, over the limit of \d+ bytes/);
    const put = await small.call('PUT', '/entities/a', { headers: { 'if-match': etag! }, body: { type: 'ping', host: '127.0.0.2', interval: 600 } });
    assert.equal(put.status, 409);
    assert.equal(small.read(), grown);
  } finally {
    await small.close();
  }
});
