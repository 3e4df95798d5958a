// `pulsemap probe` as users run it: a real process against a stand-in server on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { closedPort } from '../helpers/port.ts';
import { createTestCertificates } from '../helpers/tls.ts';
import { startRelay } from '../helpers/relay.ts';
import { startFakeServer } from './fake-server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'nyc-secret-token-5f3a9c';

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PULSEMAP_PROBE_TOKEN: _t, PULSEMAP_PROBE_SERVER: _s, PULSEMAP_PROBE_SITE: _n, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ...extra };
}

function cli(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/pulsemap.js', 'probe', ...args], { cwd: root, env: env(extra), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('usage errors exit 2 with the usage on stderr: missing server, site or token; a bad URL or site name', () => {
  const port = 9;
  const cases: { args: string[]; env?: Record<string, string>; error: RegExp }[] = [
    { args: ['--site', 'nyc', '--token', TOKEN], error: /--server URL is required/ },
    { args: ['--server', `http://127.0.0.1:${port}`, '--token', TOKEN], error: /--site NAME is required/ },
    { args: ['--server', `http://127.0.0.1:${port}`, '--site', 'nyc'], error: /a token is required: --token TOKEN or PULSEMAP_PROBE_TOKEN/ },
    { args: ['--server', 'not a url', '--site', 'nyc', '--token', TOKEN], error: /invalid --server URL/ },
    { args: ['--server', 'ftp://127.0.0.1/', '--site', 'nyc', '--token', TOKEN], error: /http:\/\/ or https:\/\//i },
    { args: ['--server', `http://127.0.0.1:${port}`, '--site', 'n y c', '--token', TOKEN], error: /invalid site name/ },
    { args: ['--server', `http://127.0.0.1:${port}`, '--site', 'nyc', 'extra'], error: /Unexpected argument/ },
  ];
  for (const c of cases) {
    const r = cli(c.args, c.env);
    assert.equal(r.code, 2, `${c.args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, c.error);
    assert.match(r.stderr, /\nusage: pulsemap probe --server URL --site NAME/);
    assert.ok(!r.stderr.includes(TOKEN));
  }
});

test('--help says the environment variable keeps the token out of ps', () => {
  const r = cli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /PULSEMAP_PROBE_TOKEN/);
  assert.match(r.stdout, /out of ps/);
});

test('a token the server refuses at the start: exit 1 with a clear message, the token printed nowhere', async (t) => {
  const fake = await startFakeServer('nyc', TOKEN);
  t.after(() => fake.close());
  for (const how of ['flag', 'env'] as const) {
    const wrong = `wrong-${TOKEN}`;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const args = ['bin/pulsemap.js', 'probe', '--server', fake.url, '--site', 'nyc', ...(how === 'flag' ? ['--token', wrong] : [])];
      const child = spawn(process.execPath, args, { cwd: root, env: env(how === 'env' ? { PULSEMAP_PROBE_TOKEN: wrong } : {}) });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      child.on('close', (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /refused the token \(401\)/);
    assert.ok(!r.out.includes(wrong), `the token appears in the output: ${r.out}`);
    assert.equal(fake.authorizations.at(-1), `Bearer ${wrong}`);
  }
});

test('a token of another site: exit 1 naming both sites', () => {
  return startFakeServer('fra', TOKEN).then(async (fake) => {
    try {
      const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/pulsemap.js', 'probe', '--server', fake.url, '--site', 'nyc'], { cwd: root, env: env({ PULSEMAP_PROBE_TOKEN: TOKEN }) });
        let err = '';
        child.stderr.on('data', (d) => { err += d; });
        child.on('close', (code) => resolve({ code, err }));
      });
      assert.equal(r.code, 1);
      assert.match(r.err, /the token belongs to site 'fra', not 'nyc'/);
    } finally {
      await fake.close();
    }
  });
});

test('SIGTERM: one last attempt to send what is buffered, then exit 0', async (t) => {
  const fake = await startFakeServer('nyc', TOKEN);
  const relay = await startRelay(new URL(fake.url));
  // The definition cannot be built here (its variable is unset at this probe): a failing result
  // at once, naming the variable.
  fake.assign([{ name: 'shop', type: 'api', interval: 30, timeout: 5, check: { url: '${SHOP_URL_AT_NYC}' } }]);
  t.after(async () => { await relay.close(); await fake.close(); });
  const child = spawn(process.execPath, ['bin/pulsemap.js', 'probe', '--server', relay.url(fake.url), '--site', 'nyc'], { cwd: root, env: env({ PULSEMAP_PROBE_TOKEN: TOKEN }), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  const lines: { msg: string }[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg: string };
      lines.push(entry);
      if (entry.msg === 'pulsemap probe running') relay.partition();
      if (/buffering results/.test(entry.msg)) resolve();
    });
    void exited.then(() => reject(new Error(`exited early: ${stderr}`)));
  });
  assert.equal(fake.results.length, 0);
  relay.heal();
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, stderr);
  assert.ok(fake.results.length >= 1);
  assert.equal(fake.results[0]!.entity, 'shop');
  assert.equal(fake.results[0]!.ok, false);
  assert.match(fake.results[0]!.message, /environment variable SHOP_URL_AT_NYC is not set/);
  assert.ok(lines.some((l) => l.msg === 'assigned check cannot run here'));
});

test('a server that is not there at the start is waited for; SIGTERM meanwhile exits 0', async () => {
  const port = await closedPort();
  const child = spawn(process.execPath, ['bin/pulsemap.js', 'probe', '--server', `http://127.0.0.1:${port}`, '--site', 'nyc'], { cwd: root, env: env({ PULSEMAP_PROBE_TOKEN: TOKEN }), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  await new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (/retrying until it answers/.test((JSON.parse(line) as { msg: string }).msg)) resolve();
    });
  });
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
});

test('HTTPS by the URL: a server whose certificate the probe trusts is used; an untrusted one is named and waited out', async (t) => {
  const certs = await createTestCertificates();
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-probe-ca-'));
  writeFileSync(path.join(dir, 'ca.pem'), certs.ca);
  const trusted = await startFakeServer('nyc', TOKEN, certs.valid);
  const untrusted = await startFakeServer('nyc', TOKEN, certs.selfSigned);
  t.after(async () => { await trusted.close(); await untrusted.close(); await certs.remove(); rmSync(dir, { recursive: true, force: true }); });
  trusted.assign([{ name: 'shop', type: 'api', interval: 30, timeout: 5, check: { url: '${SHOP_URL_AT_NYC}' } }]);
  untrusted.assign([]);

  /** Runs a probe until `done` holds (checked as lines come and every 50 ms), then stops it. */
  const run = (server: string, done: (lines: string[]) => boolean) => new Promise<{ code: number | null; lines: string[] }>((resolve) => {
    const child = spawn(process.execPath, ['bin/pulsemap.js', 'probe', '--server', server, '--site', 'nyc'], {
      cwd: root, env: env({ PULSEMAP_PROBE_TOKEN: TOKEN, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') }), stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const poll = setInterval(() => {
      if (!done(lines)) return;
      clearInterval(poll);
      child.kill('SIGTERM');
    }, 50);
    child.on('exit', (code) => { clearInterval(poll); resolve({ code, lines }); });
  });
  // The failing result (its variable is unset here) arrives over TLS.
  const good = await run(trusted.url, () => trusted.results.length > 0);
  assert.equal(good.code, 0, good.lines.join('\n'));
  assert.equal(trusted.results[0]!.entity, 'shop');
  assert.match(trusted.results[0]!.message, /SHOP_URL_AT_NYC is not set/);
  const bad = await run(untrusted.url, (lines) => lines.some((l) => /retrying until it answers/.test(l)));
  assert.equal(bad.code, 0);
  assert.match(bad.lines.join('\n'), /self-signed certificate/);
  assert.equal(untrusted.polls.length, 0);
});
