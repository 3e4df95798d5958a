// One convention for every subcommand: --help prints its usage and exits 0; a usage error prints
// what is wrong and the usage on stderr and exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[]) {
  const { PULSEMAP_CONFIG: _c, ...env } = process.env;
  const r = spawnSync(process.execPath, ['bin/pulsemap.js', ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = ['serve', 'validate', 'check', 'render', 'user', 'report', 'probe'];

for (const name of COMMANDS) {
  test(`pulsemap ${name} --help (and -h, and help ${name}): its usage on stdout, exit 0, nothing started`, () => {
    for (const args of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const r = cli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^usage: pulsemap ${name}\\b.*\\n\\n\\S.*\\n$`), args.join(' '));
    }
  });

  test(`pulsemap ${name} with an unknown option: the problem and the usage on stderr, exit 2`, () => {
    const r = cli([name, '--no-such-option']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^pulsemap ${name}: Unknown option '--no-such-option'.*\\nusage: pulsemap ${name}\\b`));
  });
}

test('pulsemap without a command: the usage on stderr, exit 2; --help: the usage on stdout, exit 0', () => {
  const bare = cli([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.stdout, '');
  assert.match(bare.stderr, /^usage: pulsemap <command>/);
  const help = cli(['--help']);
  assert.deepEqual({ code: help.code, stderr: help.stderr }, { code: 0, stderr: '' });
  assert.equal(help.stdout, bare.stderr);
});

test('an unknown command and an invalid port are usage errors: exit 2', () => {
  const unknown = cli(['serv']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^pulsemap: unknown command 'serv'\n/);
  const port = cli(['serve', '--port', 'eighty']);
  assert.equal(port.code, 2);
  assert.match(port.stderr, /^pulsemap serve: invalid port 'eighty'\nusage: pulsemap serve /);
});
