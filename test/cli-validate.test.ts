// `pulsemap validate` as a user runs it: a child process, its exit code and its output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function validate(args: string[], env: NodeJS.ProcessEnv = {}) {
  // Variables the fixtures refer to must be unset unless a test sets them.
  const { PULSEMAP_CONFIG: _c, TELEGRAM_BOT_TOKEN: _t, FOLD_DB_PASSWORD: _p, PORT: _port, ...inherited } = process.env;
  // process.execPath is Node 24 under `npm test`, which can run the TypeScript directly.
  const r = spawnSync(process.execPath, ['src/cli.ts', 'validate', ...args], {
    cwd: root, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a good file: exit 0 and the entity count', () => {
  assert.deepEqual(validate(['test/fixtures/config/good-small.yaml']), { code: 0, stdout: 'ok: 3 entities\n', stderr: '' });
});

test('without FILE it validates ./entities.yaml, the shipped example', () => {
  assert.deepEqual(validate([]), { code: 0, stdout: 'ok: 3 entities\n', stderr: '' });
});

test('without FILE it prefers $PULSEMAP_CONFIG', () => {
  const r = validate([], { PULSEMAP_CONFIG: 'test/fixtures/config/cycle.yaml' });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'test/fixtures/config/cycle.yaml:5:20: dependency cycle: a -> b -> c -> a\n');
});

test('a broken file: exit 1, one FILE:LINE:COL line per problem on stderr, nothing on stdout', () => {
  const file = 'test/fixtures/config/several-errors.yaml';
  const r = validate([file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 8);
  for (const line of lines) assert.match(line, /^test\/fixtures\/config\/several-errors\.yaml:\d+:\d+: \S/);
  assert.equal(lines[0], `${file}:3:13: /defaults/interval must be a number`);
  assert.equal(lines[4], `${file}:13:10: environment variable FOLD_DB_PASSWORD is not set`);
});

test('the variable is read from the environment of the command', () => {
  const r = validate(['test/fixtures/config/unset-env.yaml'], { TELEGRAM_BOT_TOKEN: '123:abc' });
  assert.deepEqual(r, { code: 0, stdout: 'ok: 1 entities\n', stderr: '' });
});

test('a missing file: exit 1 and the reason', () => {
  const r = validate(['no/such/entities.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^no\/such\/entities\.yaml: cannot read: ENOENT/);
});

test('bad usage: exit 2', () => {
  assert.equal(validate(['a.yaml', 'b.yaml']).code, 2);
  assert.equal(validate(['--frobnicate']).code, 2);
});
