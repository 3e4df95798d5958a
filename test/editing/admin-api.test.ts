// Admins manage login users and notify settings through entities.yaml: the same If-Match, 422,
// audit, atomic write and hot reload as entity edits; passwords only ever written as scrypt
// hashes; secrets only ever written and shown as ${VAR} references.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hashPassword } from '../../src/auth/password.ts';
import { ADMIN_TOKEN, startEditRig } from './rig.ts';
import type { EditRig } from './rig.ts';

const ENV = { TG_TOKEN: '123456:secret-bot-token-value', TG_CHAT: '-100200300', SLACK_HOOK: 'https://hooks.slack.example/T000/B000/very-secret-path' };
const LITERAL = 'literal-password-in-the-file';
const ANA_PASSWORD = 'ana-password-1';
const CY_PASSWORD = 'cy-password-12345';

let base: string;
let rig: EditRig;
const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const admin = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  rig.call(method, url, { body, headers: { ...asAdmin, ...headers } });

before(async () => {
  const anaHash = await hashPassword(ANA_PASSWORD, { N: 1024, r: 8, p: 1 });
  base = `# Fold monitoring
auth:
  users:
    # Ana runs the service
    - { name: ana, role: admin, password_hash: "${anaHash}" }
  tokens:
    - { name: deploy-bot, role: editor, token: "\${EDITOR_TOKEN}" }
    - { name: ops, role: admin, token: "\${ADMIN_TOKEN}" }
notify:
  # the on-call chat
  ops:
    type: telegram
    token: \${TG_TOKEN}   # from the environment
    chat_id: \${TG_CHAT}
  dba: { type: email, host: smtp.example.com, password: ${LITERAL}, to: [dba@example.com] }
  default: [ops]
entities:
  a: { type: ping, host: 127.0.0.1, interval: 600, notify: [dba] }
`;
  rig = await startEditRig(base, ENV);
});
after(() => rig.close());

/** Nothing secret in any text that leaves pulsemap. */
function assertNoSecrets(text: string, ...also: string[]): void {
  for (const secret of [...Object.values(ENV), ...also]) assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 6)}...`);
}

async function login(name: string, password: string): Promise<number> {
  const res = await fetch(`${rig.service.url.replace('localhost', '127.0.0.1')}/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

test('only admins reach users and notify settings', async () => {
  for (const [method, url, body] of [
    ['GET', '/admin/users', undefined], ['POST', '/admin/users', { name: 'x', role: 'viewer', password: 'long-enough' }],
    ['GET', '/admin/notify', undefined], ['PUT', '/admin/notify/channels/x', { type: 'slack', url: '${SLACK_HOOK}' }],
  ] as const) {
    assert.equal((await rig.call(method, url, { body })).status, 403, `editor: ${method} ${url}`);
    assert.equal((await rig.call(method, url, { body, headers: { authorization: '' } })).status, 401, `anonymous: ${method} ${url}`);
  }
  assert.equal(rig.read(), base);
});

test('users: add, change role, reset password, delete; hashes written, never passwords', async () => {
  const list = await admin('GET', '/admin/users');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.users, [{ name: 'ana', role: 'admin' }]);
  assert.ok(!JSON.stringify(list.body).includes('scrypt'), 'no hash in the answer');

  const added = await admin('POST', '/admin/users', { name: 'cy', role: 'editor', password: CY_PASSWORD }, { 'if-match': list.etag! });
  assert.equal(added.status, 201);
  let text = rig.read();
  const line = /^ {4}- \{ name: cy, role: editor, password_hash: (scrypt\$16384\$8\$5\$\S+) \}$/m.exec(text);
  assert.ok(line, text);
  assert.equal(text, base.replace('  tokens:\n', `${line[0]}\n  tokens:\n`), 'one line added under the other user, nothing else moved');
  assert.ok(!text.includes(CY_PASSWORD));
  assert.match(added.body.diff, /\+ {4}- \{ name: cy, role: editor, password_hash: <hidden> \}/);
  assert.ok(!JSON.stringify(added.body).includes(line[1]!), 'the hash is not in the answer');
  assert.equal(await login('cy', CY_PASSWORD), 200, 'running at once: cy logs in');

  const promoted = await admin('PATCH', '/admin/users/cy', { role: 'admin' });
  assert.equal(promoted.status, 200);
  text = rig.read();
  assert.match(text, /- \{ name: cy, role: admin, password_hash: scrypt\$/);
  assert.equal(text.replace(/- \{ name: cy, role: admin, /, '- { name: cy, role: editor, '), base.replace('  tokens:\n', `${line[0]}\n  tokens:\n`));

  const reset = await admin('PATCH', '/admin/users/cy', { password: 'a-new-password-99' });
  assert.equal(reset.status, 200);
  assert.ok(!rig.read().includes(line[1]!), 'the old hash is gone');
  assert.equal(await login('cy', CY_PASSWORD), 401, 'the old password no longer works');
  assert.equal(await login('cy', 'a-new-password-99'), 200);

  const removed = await admin('DELETE', '/admin/users/cy');
  assert.equal(removed.status, 204);
  assert.equal(rig.read(), base, 'back to the file as it was, byte for byte');
  assert.equal(await login('cy', 'a-new-password-99'), 401);

  const audit = await admin('GET', '/audit?limit=4');
  assert.deepEqual(audit.body.map((e: { action: string; kind: string; entity: string; by: string }) => [e.action, e.kind, e.entity, e.by]),
    [['delete', 'user', 'cy', 'ops'], ['update', 'user', 'cy', 'ops'], ['update', 'user', 'cy', 'ops'], ['create', 'user', 'cy', 'ops']]);
  const log = JSON.stringify(audit.body);
  assert.ok(!log.includes('scrypt$') && !log.includes(CY_PASSWORD) && !log.includes('a-new-password-99'), 'no hash or password in the audit log');
  assert.ok(!readFileSync(`${rig.dir}/data/audit.jsonl`, 'utf8').includes('scrypt$'), 'nor in its file');
});

test('the last admin can be neither deleted nor demoted', async () => {
  const del = await admin('DELETE', '/admin/users/ana');
  assert.equal(del.status, 409);
  assert.match(del.body.error, /'ana' is the last admin: make another user admin first/);
  const demote = await admin('PATCH', '/admin/users/ana', { role: 'viewer' });
  assert.equal(demote.status, 409);
  assert.equal(rig.read(), base);
  assert.equal((await admin('PATCH', '/admin/users/ana', { role: 'admin' })).status, 200, 'staying admin is fine');
});

test('bad user requests: 422 at the field, 404, 409, 412; the file is untouched', async () => {
  const cases: [string, string, string, unknown, number, string][] = [
    ['a short password', 'POST', '/admin/users', { name: 'dee', role: 'viewer', password: 'short' }, 422, '/password'],
    ['no password', 'POST', '/admin/users', { name: 'dee', role: 'viewer' }, 422, '/password'],
    ['an unknown role', 'POST', '/admin/users', { name: 'dee', role: 'root', password: 'long-enough-1' }, 422, '/role'],
    ['a bad name', 'POST', '/admin/users', { name: 'bad name', role: 'viewer', password: 'long-enough-1' }, 422, '/auth/users/1/name'],
    ['a field that is not role or password', 'PATCH', '/admin/users/ana', { password_hash: 'scrypt$1$1$1$AA$BB' }, 422, '/password_hash'],
  ];
  for (const [what, method, url, body, status, path] of cases) {
    const res = await admin(method, url, body);
    assert.equal(res.status, status, what);
    assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path), [path], what);
  }
  assert.equal((await admin('PATCH', '/admin/users/nobody', { role: 'viewer' })).status, 404);
  assert.equal((await admin('DELETE', '/admin/users/nobody')).status, 404);
  assert.equal((await admin('POST', '/admin/users', { name: 'ana', role: 'viewer', password: 'long-enough-1' })).status, 409);
  const stale = await admin('POST', '/admin/users', { name: 'dee', role: 'viewer', password: 'long-enough-1' }, { 'if-match': '"stale"' });
  assert.equal(stale.status, 412);
  assert.equal(rig.read(), base);
});

test('notify settings read as written: ${VAR} kept, a secret written in the file hidden', async () => {
  const res = await admin('GET', '/admin/notify');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.channels, {
    ops: { type: 'telegram', token: '${TG_TOKEN}', chat_id: '${TG_CHAT}' },
    dba: { type: 'email', host: 'smtp.example.com', password: '<hidden>', to: ['dba@example.com'] },
  });
  assert.deepEqual(res.body.settings, { default: ['ops'] });
  assert.ok(res.body.types.includes('slack'));
  assertNoSecrets(JSON.stringify(res.body), LITERAL);
});

test('channels: a new secret must be a ${VAR} reference; <hidden> keeps what is written', async () => {
  const literal = await admin('PUT', '/admin/notify/channels/chat', { type: 'slack', url: ENV.SLACK_HOOK });
  assert.equal(literal.status, 422);
  assert.deepEqual(literal.body.errors.map((e: { path: string }) => e.path), ['/notify/chat/url']);
  assert.match(literal.body.errors[0].message, /is a secret: write it as a \$\{VAR\} reference/);
  assert.equal(rig.read(), base);

  const { etag } = await admin('GET', '/admin/notify');
  const created = await admin('PUT', '/admin/notify/channels/chat', { type: 'slack', url: '${SLACK_HOOK}' }, { 'if-match': etag! });
  assert.equal(created.status, 201);
  const withChat = base.replace('  default: [ops]\n', '  default: [ops]\n  chat: { type: slack, url: "${SLACK_HOOK}" }\n');
  assert.equal(rig.read(), withChat);
  assert.deepEqual(rig.service.monitor.config().notify.channels.map((c) => c.name), ['ops', 'dba', 'chat'], 'running at once');

  // The page sends back what it was shown: the hidden password stays as written, the host changes.
  const dba = await admin('PUT', '/admin/notify/channels/dba', { type: 'email', host: 'mail.example.com', password: '<hidden>', to: ['dba@example.com'] });
  assert.equal(dba.status, 200);
  assert.equal(rig.read(), withChat.replace('host: smtp.example.com', 'host: mail.example.com'));
  assertNoSecrets(JSON.stringify([literal.body, created.body, dba.body]), LITERAL);

  const inUse = await admin('DELETE', '/admin/notify/channels/dba');
  assert.equal(inUse.status, 422, 'entity a still routes to dba');
  assert.match(inUse.body.error, /dba/);
  assert.equal((await admin('DELETE', '/admin/notify/channels/chat')).status, 204);
  assert.equal((await admin('DELETE', '/admin/notify/channels/chat')).status, 404);
  assert.equal((await admin('PUT', '/admin/notify/channels/default', { type: 'slack', url: '${SLACK_HOOK}' })).status, 400);
  rig.write(base);
});

test('settings and group routes', async () => {
  const res = await admin('PATCH', '/admin/notify/settings', { default: ['ops', 'dba'], reminder: 3600 });
  assert.equal(res.status, 200);
  const withSettings = base.replace('  default: [ops]\n', '  default: [ops, dba]\n  reminder: 3600\n');
  assert.equal(rig.read(), withSettings);
  assert.equal(rig.service.monitor.config().notify.reminder, 3600);
  assert.equal((await admin('PATCH', '/admin/notify/settings', { ops: {} })).status, 400, 'channels are not settings');
  assert.equal((await admin('PATCH', '/admin/notify/settings', { reminder: -1 })).status, 422);

  const group = await admin('PUT', '/admin/notify/groups/eu/payments', { notify: ['dba'] });
  assert.equal(group.status, 200);
  assert.equal(rig.read(), `${withSettings}groups:\n  eu/payments:\n    notify: [dba]\n`);
  assert.deepEqual((await admin('GET', '/admin/notify')).body.groups, { 'eu/payments': ['dba'] });
  assert.equal((await admin('PUT', '/admin/notify/groups/eu/payments', { notify: ['nope'] })).status, 422);
  assert.equal((await admin('PUT', '/admin/notify/groups/eu/payments', { notify: null })).status, 200);
  assert.equal(rig.read(), `${withSettings}groups: {}\n`);

  const audit = await admin('GET', '/audit?limit=1');
  assert.equal(audit.body[0].kind, 'notify');
  assert.equal(audit.body[0].entity, 'group eu/payments');
  rig.write(base);
});

test('an entity secret written as plain text reads <hidden> in its fields, /config and diffs, and <hidden> sent back keeps it', async () => {
  const header = 'literal-header-secret-1';
  const withEntity = `${base}  h:\n    type: api\n    url: http://127.0.0.1:9/x\n    interval: 600\n    headers: { X-Key: ${header} }\n`;
  rig.write(withEntity);
  const shown = await rig.call('GET', '/config/entities/h');
  assert.equal(shown.status, 200);
  assert.deepEqual(shown.body.fields, { type: 'api', url: 'http://127.0.0.1:9/x', interval: 600, headers: { 'X-Key': '<hidden>' } });
  const config = await rig.call('GET', '/config');
  assert.ok(!config.body.text.includes(header) && !config.body.text.includes(LITERAL), 'no plain-text secret in /config');
  assert.match(config.body.text, /headers: \{ X-Key: \*\*\* \}/);

  // The form sends back what it was shown: the header stays as written; the diff hides it.
  const saved = await rig.call('PUT', '/entities/h', { body: { ...shown.body.fields, interval: 900 } });
  assert.equal(saved.status, 200);
  assert.equal(rig.read(), withEntity.replace('interval: 600\n    headers', 'interval: 900\n    headers'));
  const patched = await rig.call('PATCH', '/entities/h?dry_run=1', { body: { headers: { 'X-Key': '<hidden>', 'X-Other': 'b' } } });
  assert.equal(patched.status, 200);
  assert.match(patched.body.diff, /\+ {4}headers: \{ X-Key: \*\*\*, X-Other: b \}/);
  const duplicate = await rig.call('POST', '/entities', { body: { name: 'h2', ...shown.body.fields } });
  assert.equal(duplicate.status, 422, 'a new entity has no written value for <hidden> to keep');
  assert.match(duplicate.body.error, /\/entities\/h2\/headers\/X-Key: <hidden> stands for a value already written there/);
  assert.deepEqual(duplicate.body.errors.map((e: { path: string }) => e.path), ['/entities/h2/headers/X-Key'], 'the page shows it at the field');
  assertNoSecrets(JSON.stringify([shown.body, config.body, saved.body, patched.body, duplicate.body]), header, LITERAL);
  rig.write(base);
});
