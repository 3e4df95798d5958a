// `pulsemap check NAME --config FILE` as a user runs it: a child process per call.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closedPort, PGURL } from './helpers/pg.ts';
import { createTestCertificates } from './helpers/tls.ts';
import type { TestCertificates } from './helpers/tls.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const PASSWORD = 'cli-Secret-42';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Async on purpose: the HTTP target lives in this process and must keep answering. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('pulsemap check', () => {
  let dir: string;
  let file: string;
  let server: http.Server;
  let secure: https.Server;
  let certs: TestCertificates;
  before(async () => {
    const answer: http.RequestListener = (req, res) => {
      res.statusCode = req.url === '/down' ? 503 : 200;
      res.end('all ok');
    };
    certs = await createTestCertificates();
    server = http.createServer(answer);
    secure = https.createServer(certs.expiring, answer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'pulsemap-cli-check-'));
    file = join(dir, 'entities.yaml');
    // The way an operator trusts an internal CA; Node reads it at start-up.
    await writeFile(join(dir, 'ca.pem'), certs.ca);
    await writeFile(file, `
defaults:
  timeout: 3
entities:
  web:
    type: api
    url: http://127.0.0.1:${port}/health
    expect: { body_contains: ok }
  web_tls:
    type: api
    url: https://127.0.0.1:${(secure.address() as AddressInfo).port}/health
  web_down:
    type: api
    url: http://127.0.0.1:${port}/down
  lo:
    type: ping
    host: 127.0.0.1
  db:
    type: database
    url: \${PGURL}
    extra: { runs_in: docker }
  db_down:
    type: database
    url: postgres://monitor:\${DB_PASSWORD}@127.0.0.1:${await closedPort()}/app
`);
  });
  after(async () => {
    for (const s of [server, secure]) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await rm(dir, { recursive: true, force: true });
    await certs.remove();
  });

  const env = { PGURL, DB_PASSWORD: PASSWORD };
  const cases = [
    { name: 'web', type: 'api', code: 0, message: /^200 OK in \d+ ms$/, extra: { http_status: 200 } },
    { name: 'web_tls', type: 'api', code: 0, message: /^200 OK in \d+ ms, certificate expires in [45] days$/, extra: {} },
    { name: 'web_down', type: 'api', code: 1, message: /^expected status 2xx, got 503$/, extra: { http_status: 503 } },
    { name: 'lo', type: 'ping', code: 0, message: /^reply in [\d.]+ ms$/, extra: { packet_loss: 0 } },
    { name: 'db', type: 'database', code: 0, message: /^query ok in \d+ ms$/, extra: { runs_in: 'docker' } },
    { name: 'db_down', type: 'database', code: 1, message: /^connection refused$/, extra: {} },
  ] as const;
  for (const c of cases) {
    it(`${c.name} (${c.type}) exits ${c.code}`, async () => {
      const run = await cli(['check', c.name, '--config', file], { ...env, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
      assert.equal(run.code, c.code, run.stderr);
      const result = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(result), ['name', 'type', 'target', 'ok', 'degraded', 'latency_ms', 'message', 'extra']);
      assert.equal(result.name, c.name);
      assert.equal(result.type, c.type);
      assert.equal(result.ok, c.code === 0);
      assert.equal(result.degraded, c.name === 'web_tls');
      assert.match(String(result.message), c.message);
      for (const [key, value] of Object.entries(c.extra)) assert.deepEqual((result.extra as Record<string, unknown>)[key], value);
      assert.ok(!run.stdout.includes(PASSWORD), 'the password leaked into the output');
      assert.ok(run.stdout.endsWith('}\n') && run.stdout.includes('\n  "name"'), 'not pretty JSON');
    });
  }

  it('finds the file through PULSEMAP_CONFIG', async () => {
    const run = await cli(['check', 'lo'], { PULSEMAP_CONFIG: file, ...env });
    assert.equal(run.code, 0, run.stderr);
  });

  it('an unknown name exits 2 and lists the names', async () => {
    const run = await cli(['check', 'nope', '--config', file], env);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /no entity named 'nope'/);
    assert.match(run.stderr, /web, web_tls, web_down, lo, db, db_down/);
  });

  it('a missing name is a usage error', async () => {
    const run = await cli(['check', '--config', file], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage: pulsemap check NAME/);
  });

  it('an invalid configuration exits 1 with FILE:LINE:COL problems', async () => {
    const run = await cli(['check', 'db_down', '--config', file], { PGURL });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /entities\.yaml:\d+:\d+: .*DB_PASSWORD/);
  });
});
