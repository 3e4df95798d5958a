// Changes to the settings parts of entities.yaml (users, notify, groups) as text: only what
// changes is touched, in the file's own style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditRefused } from '../../src/editing/entity-edit.ts';
import { appendItem, removeItem, setAt, updateItem } from '../../src/editing/section-edit.ts';
import { addUser, deleteUser, updateUser } from '../../src/editing/users.ts';
import { deleteChannel, patchSettings, setGroupRoutes } from '../../src/editing/notify.ts';

const H = 'scrypt$1$1$1$AAAA$BBBB';
const file = `# top
notify:
  # the ops chat
  ops:
    type: telegram
    token: \${TG_TOKEN}   # from env
    chat_id: "42"
  default: [ops]
auth:
  users:
    # Ana runs it
    - { name: ana, role: admin, password_hash: "${H}" }
    - name: ben
      role: viewer
      password_hash: ${H}
entities:
  a: { type: ping, host: 127.0.0.1 }
`;
const plain = 'title: x\nentities:\n  a: { type: ping, host: h }\n';
const edit = (text: string, from: string, to: string) => {
  assert.ok(text.includes(from), from);
  return text.replace(from, to);
};

const cases: [string, () => string, string][] = [
  ['a new channel goes after the last key of notify, as one line',
    () => setAt(file, ['notify', 'chat'], { type: 'slack', url: '${SLACK_URL}' }),
    edit(file, '  default: [ops]\n', '  default: [ops]\n  chat: { type: slack, url: "${SLACK_URL}" }\n')],
  ['a changed channel field is replaced where it stands, quoting and comments kept',
    () => setAt(file, ['notify', 'ops'], { type: 'telegram', token: '${TG_TOKEN}', chat_id: '43' }),
    edit(file, 'chat_id: "42"', 'chat_id: "43"')],
  ['a deleted channel takes its comment with it',
    () => setAt(file, ['notify', 'ops'], undefined),
    edit(file, '  # the ops chat\n  ops:\n    type: telegram\n    token: ${TG_TOKEN}   # from env\n    chat_id: "42"\n', '')],
  ['the last key of a map removed leaves {}',
    () => setAt('notify:\n  default: [ops]\nentities: {}\n', ['notify', 'default'], undefined),
    'notify: {}\nentities: {}\n'],
  ['a missing section is made at the end',
    () => setAt(plain, ['groups', 'eu/payments', 'notify'], ['ops']),
    `${plain}groups:\n  eu/payments:\n    notify: [ops]\n`],
  ['a user appended under the others, as one { } line',
    () => appendItem(file, ['auth', 'users'], { name: 'cy', role: 'editor', password_hash: H }),
    edit(file, `      password_hash: ${H}\n`, `      password_hash: ${H}\n    - { name: cy, role: editor, password_hash: ${H} }\n`)],
  ['the first user makes auth: users:',
    () => appendItem(plain, ['auth', 'users'], { name: 'cy', role: 'admin', password_hash: H }),
    `${plain}auth:\n  users:\n    - { name: cy, role: admin, password_hash: ${H} }\n`],
  ['a user in a [ ] list: the list is written again',
    () => appendItem(`auth:\n  users: [{ name: ana, role: admin, password_hash: "${H}" }]\n`, ['auth', 'users'], { name: 'cy', role: 'viewer', password_hash: H }),
    `auth:\n  users:\n    - { name: ana, role: admin, password_hash: ${H} }\n    - { name: cy, role: viewer, password_hash: ${H} }\n`],
  ['a { } user changed in place, its quotes kept',
    () => updateItem(file, ['auth', 'users'], 0, { name: 'ana', role: 'viewer', password_hash: 'scrypt$2$2$2$CC$DD' }),
    edit(file, `{ name: ana, role: admin, password_hash: "${H}" }`, '{ name: ana, role: viewer, password_hash: "scrypt$2$2$2$CC$DD" }')],
  ['a block user changed in place',
    () => updateItem(file, ['auth', 'users'], 1, { name: 'ben', role: 'admin', password_hash: H }),
    edit(file, '      role: viewer\n', '      role: admin\n')],
  ['a user removed with its comment',
    () => removeItem(file, ['auth', 'users'], 0),
    edit(file, `    # Ana runs it\n    - { name: ana, role: admin, password_hash: "${H}" }\n`, '')],
  ['the only user removed leaves []',
    () => removeItem(`auth:\n  users:\n    - { name: ana, role: viewer, password_hash: "${H}" }\nentities: {}\n`, ['auth', 'users'], 0),
    'auth:\n  users: []\nentities: {}\n'],
  ['settings: one set, one removed',
    () => patchSettings({ reminder: 600, default: null })(file).text,
    edit(file, '  default: [ops]\n', '  reminder: 600\n')],
  ['a group\'s only setting removed takes the group with it',
    () => setGroupRoutes('eu', null)(`${plain}groups:\n  eu: { notify: [ops] }\n  us: { notify: [ops] }\n`).text,
    `${plain}groups:\n  us: { notify: [ops] }\n`],
];

for (const [what, run, expected] of cases) {
  test(what, () => assert.equal(run(), expected));
}

test('refusals: the last admin, unknown names, duplicates, anchors', () => {
  const refused = (fn: () => unknown, status: number, message: RegExp) => assert.throws(fn, (err: unknown) => err instanceof EditRefused && err.status === status && message.test(err.message));
  refused(() => deleteUser('ana')(file), 409, /'ana' is the last admin/);
  refused(() => updateUser('ana', { role: 'editor' })(file), 409, /last admin/);
  assert.equal(updateUser('ana', { role: 'admin' })(file).text, file);
  refused(() => deleteUser('nobody')(file), 404, /no user named 'nobody'/);
  refused(() => addUser('ben', 'viewer', H)(file), 409, /already exists/);
  refused(() => deleteChannel('nope')(file), 404, /no channel named 'nope'/);
  refused(() => deleteChannel('default')(file), 404, /no channel named 'default'/);
  refused(() => patchSettings({ ops: {} }), 400, /not a notify setting: ops/);
  const anchored = `x-user: &u { name: ana, role: admin, password_hash: "${H}" }\nauth:\n  users:\n    - *u\n    - { name: ben, role: admin, password_hash: "${H}" }\n`;
  refused(() => deleteUser('ben')(anchored), 409, /anchors or aliases/);
});
