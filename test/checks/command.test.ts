// command check: Debian's monitoring-plugins-basic as they are (check_dummy, check_tcp), plus
// small scripts that exit 0-4, print performance data, write only to stderr, read their
// environment, or hang past the timeout with a child of their own (nothing may be left behind).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { checkType } from '../../src/checks/registry.ts';
import { parsePluginOutput } from '../../src/checks/plugin-output.ts';
import { entityOf } from '../helpers/entities.ts';
import { closedPort } from '../helpers/pg.ts';

const PLUGINS = '/usr/lib/nagios/plugins';
const run = (command: string[], fields: Record<string, unknown> = {}) => runCheck(entityOf('command', 'cmd', { command, timeout: 10, ...fields }));

describe('command check, Debian monitoring-plugins-basic', { skip: !existsSync(`${PLUGINS}/check_dummy`) && 'monitoring-plugins-basic is not installed (.ci/run installs it)' }, () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((s) => { s.on('error', () => {}); s.end(); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => { server.close(); });

  const dummy = [
    { code: 0, ok: true, degraded: false, message: 'OK: all good' },
    { code: 1, ok: true, degraded: true, message: 'WARNING: all good' },
    { code: 2, ok: false, degraded: false, message: 'CRITICAL: all good' },
    { code: 3, ok: false, degraded: false, message: 'unknown: UNKNOWN: all good' },
  ];
  for (const c of dummy) {
    it(`check_dummy ${c.code}: ${c.message}`, async () => {
      const outcome = await run([`${PLUGINS}/check_dummy`, String(c.code), 'all good']);
      assert.deepEqual([outcome.ok, outcome.degraded, outcome.message], [c.ok, c.degraded, c.message]);
      assert.equal(outcome.extra.exit_code, c.code);
    });
  }

  it('check_tcp against a listening port: ok, with its perfdata in extra', async () => {
    const outcome = await run([`${PLUGINS}/check_tcp`, '-H', '127.0.0.1', '-p', String(port)]);
    assert.equal(outcome.ok, true, outcome.message);
    assert.match(outcome.message, new RegExp(`^TCP OK - [\\d.]+ second response time on 127.0.0.1 port ${port}$`));
    assert.match(String(outcome.extra.time), /^\d+\.\d+s$/);
  });

  it('check_tcp against a closed port: error, the plugin\'s own words', async () => {
    const closed = await closedPort();
    const outcome = await run([`${PLUGINS}/check_tcp`, '-H', '127.0.0.1', '-p', String(closed)]);
    assert.deepEqual([outcome.ok, outcome.message], [false, `connect to address 127.0.0.1 and port ${closed}: Connection refused`]);
    assert.equal(outcome.extra.exit_code, 2);
  });
});

describe('command check, scripts', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'pulsemap-command-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  async function script(name: string, body: string): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it('exit codes beyond 3 are unknown; no output still says what happened', async () => {
    const four = await run([await script('four', 'echo "half done"; exit 4')]);
    assert.deepEqual([four.ok, four.message], [false, 'unknown (exit 4): half done']);
    const silent = await run([await script('silent', 'exit 2')]);
    assert.deepEqual([silent.ok, silent.message], [false, 'exit 2 (CRITICAL), no output']);
  });

  it('perfdata on the first line and after long text, units kept, bare numbers as numbers', async () => {
    const file = await script('perf', `echo "DISK OK - free space: / 3326 MB (56%) | /=2643MB;3721;3912;0;4120"
echo "long text line"
echo "more text | 'inodes used'=45%;80;90 load=0.42;;; count=7"`);
    const outcome = await run([file]);
    assert.equal(outcome.ok, true, outcome.message);
    assert.equal(outcome.message, 'DISK OK - free space: / 3326 MB (56%)');
    assert.deepEqual(outcome.extra, { '/': '2643MB', 'inodes used': '45%', load: 0.42, count: 7, exit_code: 0 });
  });

  it('arguments are passed as they are, never through a shell; only stderr is read when stdout is empty', async () => {
    const file = await script('args', 'printf "%s|" "$@" >&2; exit 2');
    const outcome = await run([file, '$HOME', '`id`', 'a b', ';rm -rf /']);
    assert.deepEqual([outcome.ok, outcome.message], [false, '$HOME']);
    const joined = await run([await script('args2', 'printf "%s," "$@"; exit 0'), '$HOME', 'a b', '*']);
    assert.equal(joined.message, '$HOME,a b,*,');
  });

  it('env reaches the program; its values never show', async () => {
    const file = await script('env', 'echo "token is $API_TOKEN, lang $LANG"');
    const outcome = await run([file], { env: { API_TOKEN: 'tok-very-secret' } });
    assert.equal(outcome.message, 'token is ***, lang C');
  });

  it('a program that hangs is killed with its whole process group at the timeout; nothing is left', async () => {
    const pids = join(dir, 'pids');
    const file = await script('hang', `sleep 60 &\necho $! > "$1"\necho $$ >> "$1"\nsleep 60`);
    const started = performance.now();
    const outcome = await run([file, pids], { timeout: 0.5 });
    assert.deepEqual([outcome.ok, outcome.message], [false, 'timeout after 0.5 s']);
    assert.ok(performance.now() - started < 500 + 1500, 'ended near its timeout');
    const left = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    assert.equal(left.length, 2);
    const alive = (pid: number): boolean => {
      try { process.kill(pid, 0); return true; } catch { return false; }
    };
    // Killed processes may take a moment to be reaped by their parents.
    for (let i = 0; i < 1000 && left.some(alive); i++) await sleep(10);
    assert.deepEqual(left.filter(alive), [], 'the script and its background child are gone');
  });

  it('a missing program is an error, not a crash; relative paths are refused by validation', async () => {
    const outcome = await run(['/nonexistent/check_nothing']);
    assert.deepEqual([outcome.ok, outcome.message], [false, 'program not found: /nonexistent/check_nothing']);
    const issues = checkType('command').validate!({ command: ['check_disk', '-w', '10%'] }, (...f) => ['entities', 'disk', ...f]);
    assert.deepEqual(issues.map((i) => i.message), ['/entities/disk/command/0 must be an absolute path to the program (no shell runs it)']);
  });

  it('parsePluginOutput: quoted labels with spaces and quotes, junk ignored', () => {
    assert.deepEqual(parsePluginOutput("OK | 'it''s here'=1.5e3ms;1;2 junk ='x' =3 bad=abc"), { message: 'OK', perfdata: { "it's here": '1.5e3ms' } });
    assert.deepEqual(parsePluginOutput('PROCS OK: 3 processes'), { message: 'PROCS OK: 3 processes', perfdata: {} });
  });
});
