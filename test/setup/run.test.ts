// `npm test`'s own set-up (test/setup/run.ts), run for real on a one-file suite that reports
// which PostgreSQL server it got: its own cluster, removed after the run even when interrupted;
// the server PGURL names; and one clear message, before any test runs, when something is missing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { closedPort, PGURL } from '../helpers/pg.ts';
import { running } from '../helpers/proc.ts';

const root = resolve(import.meta.dirname, '../..');
const FIXTURE = 'test/fixtures/setup/report-server.ts';

interface Report {
  readonly url: string;
  readonly port: number;
  readonly data: string;
  readonly postmaster: number;
  readonly pid: number;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the fixture test reported, if it ran. */
  readonly report: Report | null;
}

/**
 * Runs the set-up script on the fixture. `env` entries set to undefined are removed; `onReport`
 * sees the report (and the set-up process) while the fixture still runs.
 */
async function runSetup(env: Record<string, string | undefined>, onReport?: (report: Report, pid: number) => void): Promise<Run> {
  const sockets: Socket[] = [];
  let received = '';
  let report: Report | null = null;
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (report === null && received.trim() !== '' && (received.endsWith('\n') || received.endsWith('}'))) {
        report = JSON.parse(received) as Report;
        onReport?.(report, child.pid!);
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  // The runner marks its file processes with NODE_TEST_CONTEXT; a nested runner must not see it.
  const merged: Record<string, string | undefined> = { ...process.env, NODE_TEST_CONTEXT: undefined, ...env };
  merged.REPORT_PORT = String((server.address() as { port: number }).port);
  const clean = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const child = spawn(process.execPath, ['test/setup/run.ts', FIXTURE], { cwd: root, env: clean });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((done) => server.close(() => done()));
  return { code, stdout, stderr, report };
}

describe('npm test set-up', () => {
  it('without PGURL runs the suite against a cluster of its own, then removes it', async () => {
    const run = await runSetup({ PGURL: undefined });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.report, `the fixture reported nothing\n${run.stdout}${run.stderr}`);
    assert.ok(run.report.data.startsWith(join(tmpdir(), 'pulsemap-pg-')), run.report.data);
    assert.match(run.stderr, new RegExp(`a cluster of its own at postgres://postgres@127\\.0\\.0\\.1:${run.report.port}/postgres`));
    assert.equal(existsSync(run.report.data), false, 'the cluster directory is removed');
    assert.equal(running(run.report.postmaster), false, 'the cluster server is stopped');
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`removes the cluster and leaves no process behind when interrupted (${signal})`, async () => {
      const run = await runSetup({ PGURL: undefined, REPORT_HOLD: '1' }, (_, pid) => process.kill(pid, signal));
      assert.ok(run.report, `the fixture reported nothing\n${run.stdout}${run.stderr}`);
      assert.equal(run.code, code, run.stderr);
      assert.equal(existsSync(run.report.data), false, 'the cluster directory is removed');
      assert.equal(running(run.report.postmaster), false, 'the cluster server is stopped');
      assert.equal(running(run.report.pid), false, 'the test file process is gone');
    });
  }

  it('with PGURL uses that server and starts none', async () => {
    const run = await runSetup({ PGURL });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.report, `the fixture reported nothing\n${run.stdout}${run.stderr}`);
    assert.equal(run.report.url, PGURL);
    assert.equal(run.report.port, Number(new URL(PGURL).port || 5432));
    assert.doesNotMatch(run.stderr, /cluster of its own/);
  });

  it('with PGURL pointing at no server stops at once with one message', async () => {
    const url = `postgres://postgres:hunter2@127.0.0.1:${await closedPort()}/postgres`;
    const run = await runSetup({ PGURL: url });
    assert.equal(run.code, 1);
    assert.equal(run.report, null, 'no test ran');
    assert.match(run.stderr, /cannot reach the PostgreSQL server in PGURL \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\): .*ECONNREFUSED/);
    assert.doesNotMatch(run.stderr, /hunter2/);
  });

  it('names what is missing when it cannot install it, before any test runs', async () => {
    // A PATH with neither the tools nor apt-get: nothing can be installed, whoever runs it.
    const empty = mkdtempSync(join(tmpdir(), 'pulsemap-path-'));
    try {
      const run = await runSetup({ PATH: empty, PGURL: undefined });
      assert.equal(run.code, 1);
      assert.equal(run.report, null, 'no test ran');
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^npm test cannot run: the test suite needs these, and this is not a Debian system with apt-get:$/m);
      for (const [command, pkg] of [['ping', 'iputils-ping'], ['ip', 'iproute2'], ['openssl', 'openssl']]) {
        assert.match(run.stderr, new RegExp(`^  ${command} +Debian package ${pkg}, for `, 'm'));
      }
      assert.match(run.stderr, /^Install the equivalent of the Debian packages iputils-ping iproute2 openssl, then run npm test again\.$/m);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
