// `pulsemap user add` as a user runs it; its line pasted into entities.yaml logs that user in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/load.ts';
import { verifyPassword } from '../src/auth/password.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function user(args: string[], input: string) {
  const r = spawnSync(process.execPath, ['src/cli.ts', 'user', ...args], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('user add prints an auth.users entry whose hash verifies the password it was given', async () => {
  const r = user(['add', 'ana', '--role', 'editor'], 'correct horse battery\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {4}- \{ name: ana, role: editor, password_hash: "scrypt\$16384\$8\$5\$[^"]+" \}\n$/);
  assert.doesNotMatch(r.stdout + r.stderr, /correct horse/);
  const parsed = parseConfig(`auth:\n  users:\n${r.stdout}entities: {}\n`, 'entities.yaml', {});
  assert.ok('config' in parsed, JSON.stringify(parsed));
  const [entry] = parsed.config.auth.users;
  assert.equal(entry!.role, 'editor');
  assert.equal(await verifyPassword('correct horse battery', entry!.password_hash), true);
});

test('user add refuses a bad role, a bad name and a short password', () => {
  assert.deepEqual(user(['add', 'ana', '--role', 'root'], 'x\n'), { code: 2, stdout: '', stderr: 'pulsemap user: --role must be one of viewer, editor, admin\n' });
  assert.equal(user(['add', '-x', '--role', 'viewer'], 'x\n').code, 2);
  assert.equal(user(['add', 'bad name', '--role', 'viewer'], 'x\n').code, 2);
  assert.equal(user(['add', 'ana'], 'x\n').code, 2);
  assert.deepEqual(user(['add', 'ana', '--role', 'viewer'], 'short\n'), { code: 1, stdout: '', stderr: 'pulsemap user: the password must have at least 8 characters\n' });
});

test('user add --write adds the entry to the file itself, validated and audited', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-user-'));
  try {
    const file = path.join(dir, 'entities.yaml');
    const before = '# mine\nentities:\n  a: { type: ping, host: 127.0.0.1 }\n';
    writeFileSync(file, before);
    const r = user(['add', 'cy', '--role', 'admin', '--write', '--config', file, '--data', dir], 'a long password\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Added cy \(admin\) to .*entities\.yaml/);
    const after = readFileSync(file, 'utf8');
    assert.match(after, /^# mine\nentities:\n {2}a: \{ type: ping, host: 127\.0\.0\.1 \}\nauth:\n {2}users:\n {4}- \{ name: cy, role: admin, password_hash: scrypt\$16384\$8\$5\$\S+ \}\n$/);
    assert.doesNotMatch(after, /a long password/);
    const [entry] = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(entry.kind, 'user');
    assert.equal(entry.action, 'create');
    assert.match(entry.by, /\(command line\)$/);
    assert.doesNotMatch(entry.diff, /scrypt\$/);

    const again = user(['add', 'cy', '--role', 'viewer', '--write', '--config', file, '--data', dir], 'a long password\n');
    assert.deepEqual(again, { code: 1, stdout: '', stderr: "pulsemap user: a user named 'cy' already exists\n" });
    assert.equal(readFileSync(file, 'utf8'), after);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
