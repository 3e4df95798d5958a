// There is no Docker engine here, so this checks what can be checked without one: the image's
// files are exactly what the Dockerfile copies, plus the production dependencies only, and
// its CMD starts a service from them that its HEALTHCHECK finds healthy.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closedPort } from './helpers/pg.ts';
import { startTarget } from './helpers/http.ts';
import { JEMALLOC_CONF, jemallocPath } from '../bench/common.ts';

const root = path.resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'pulsemap-image-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^([A-Z]+)\s+(.*)$/.exec(current);
    assert.ok(m, `not an instruction: ${current}`);
    out.push({ op: m[1]!, args: m[2]! });
    current = '';
  }
  return out;
}

/** KEY=value pairs of an ENV line (values here need no quoting). */
function envOf(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((pair) => {
    const [key, ...value] = pair.split('=');
    return [key!, value.join('=')];
  }));
}

/** Docker's rule for the patterns the file uses: anchored at the context root, `*` within one
 * path segment, and a pattern that matches a directory excludes everything under it. */
function ignored(patterns: string[], file: string): boolean {
  const parts = file.split('/');
  return patterns.some((p) => {
    const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
  });
}

const dockerfile = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const one = (op: string) => {
  const found = dockerfile.filter((i) => i.op === op);
  assert.equal(found.length, 1, `one ${op}`);
  return found[0]!.args;
};
/** Debian's libjemalloc2 on this machine (test/setup installs it). */
function jemallocOnHost(): string {
  const path = jemallocPath();
  assert.ok(path, 'libjemalloc2 is installed');
  return path;
}
const execForm = (args: string): string[] => JSON.parse(args.replace(/^(--\S+\s+)*CMD\s+/, ''));

it('builds on node:24-slim with ping, as a non-root user, with a volume, a port and a health check', () => {
  assert.equal(dockerfile[0]!.op, 'FROM');
  assert.equal(dockerfile[0]!.args, 'node:24-slim');
  const runs = dockerfile.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
  assert.match(runs, /apt-get install -y --no-install-recommends iputils-ping/);
  assert.match(runs, /getcap \/usr\/bin\/ping \| grep -q cap_net_raw/, 'the build fails without the capability');
  assert.match(runs, /npm ci --omit=dev/);
  assert.match(runs, /--no-install-recommends [^&]*libjemalloc2/);
  assert.match(runs, /ln -s "\$\(ls \/usr\/lib\/\*-linux-gnu\/libjemalloc\.so\.2\)" \/usr\/local\/lib\/libjemalloc\.so\.2/, 'one path on every architecture');
  assert.equal(one('USER'), 'node');
  const user = dockerfile.findIndex((i) => i.op === 'USER');
  assert.ok(user < dockerfile.findIndex((i) => i.op === 'CMD'), 'the service runs as the non-root user');
  assert.equal(one('EXPOSE'), '8000');
  assert.equal(one('VOLUME'), '/data');
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  assert.deepEqual(execForm(one('CMD')), start.split(' '), 'the image runs what npm start runs, V8 flags included');
  assert.equal(dockerfile.filter((i) => i.op === 'ADD').length, 0);
  const env = Object.assign({}, ...dockerfile.filter((i) => i.op === 'ENV').map((i) => envOf(i.args)));
  assert.equal(env.PULSEMAP_DATA, '/data');
  assert.equal(env.PULSEMAP_CONFIG, '/app/entities.yaml');
  assert.equal(env.LD_PRELOAD, '/usr/local/lib/libjemalloc.so.2');
  assert.equal(env.MALLOC_CONF, JEMALLOC_CONF, 'the allocator settings the footprint bench measures');
});

it('starts the service from exactly the files the Dockerfile copies, and its HEALTHCHECK passes', async () => {
  const workdir = one('WORKDIR');
  const app = path.join(tmp, workdir);
  const data = path.join(tmp, 'data');
  const inImage = (p: string) => path.join(tmp, p.startsWith('/') ? p : path.join(workdir, p));
  const patterns = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  assert.ok(ignored(patterns, 'node_modules/koa/package.json') && ignored(patterns, 'data/pulsemap.db'), 'local state stays out of the context');

  for (const { args } of dockerfile.filter((i) => i.op === 'COPY')) {
    const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const dest = parts.pop()!;
    for (const source of parts) {
      assert.ok(existsSync(path.join(root, source)), `COPY source ${source} exists`);
      assert.ok(!ignored(patterns, source), `${source} is not excluded by .dockerignore`);
      const target = dest.endsWith('/') ? path.join(inImage(dest), path.basename(source)) : inImage(dest);
      cpSync(path.join(root, source), target, { recursive: true });
    }
  }
  // What `npm ci --omit=dev` installs: the lock file's packages not marked dev. Linking only the
  // top-level ones makes an import of a devDependency fail here as it would in the image.
  const lock = JSON.parse(readFileSync(path.join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  for (const [key, meta] of Object.entries(lock.packages)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
    if (!m || meta.dev) continue;
    mkdirSync(path.dirname(path.join(app, key)), { recursive: true });
    symlinkSync(path.join(root, key), path.join(app, key));
  }
  assert.ok(!existsSync(path.join(app, 'node_modules/typescript')), 'devDependencies are left out');

  const target = await startTarget();
  const env = Object.assign({}, ...dockerfile.filter((i) => i.op === 'ENV').map((i) => envOf(i.args))) as Record<string, string>;
  const port = await closedPort();
  const containerEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.startsWith('/') ? inImage(v) : v])),
    // The link the build makes, to the library Debian's libjemalloc2 installs here.
    LD_PRELOAD: jemallocOnHost(),
    PORT: String(port),
    HOST: '127.0.0.1', // tests stay on loopback; in the image the default 0.0.0.0 applies
  };
  writeFileSync(containerEnv.PULSEMAP_CONFIG!, `entities:\n  self:\n    type: api\n    url: ${target.url}\n`);
  // The build steps that run as the service's user (filling Node's compile cache), as the build runs them.
  const built = dockerfile.slice(dockerfile.findIndex((i) => i.op === 'USER')).filter((i) => i.op === 'RUN');
  assert.ok(built.length > 0, 'the compile cache is filled at build time');
  for (const { args } of built) {
    const [program, ...rest] = args.split(/\s+/);
    assert.equal(program, 'node', `a build step this test can run: ${args}`);
    const r = spawnSync(process.execPath, rest, { cwd: app, env: containerEnv, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `RUN ${args}:\n${r.stderr}`);
  }
  const [cmd, ...cmdArgs] = execForm(one('CMD'));
  assert.equal(cmd, 'node');
  // Reports at exit whether Node loaded its type stripper: with the cache filled, it must not.
  const stripper = path.join(tmp, 'report-stripper.mjs');
  writeFileSync(stripper, 'process.on("exit", () => process.stderr.write(`stripper loaded: ${process.moduleLoadList.some((m) => m.includes("amaro"))}\\n`));\n');
  const child = spawn(process.execPath, cmdArgs, { cwd: app, env: { ...containerEnv, NODE_OPTIONS: `--import=${stripper}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const healthcheck = () => {
    const [hc, ...hcArgs] = execForm(one('HEALTHCHECK'));
    assert.equal(hc, 'node');
    return new Promise<number | null>((resolve) => {
      spawn(process.execPath, hcArgs, { cwd: app, env: containerEnv, stdio: 'ignore' }).on('exit', resolve);
    });
  };

  try {
    // Only a bound for a service that never comes up (an early exit fails at once): a loaded machine may need long to start Node.
    const deadline = Date.now() + 90_000;
    let health: Record<string, unknown> | null = null;
    while (health === null) {
      if (child.exitCode !== null || Date.now() > deadline) assert.fail(`the service did not come up:\n${output}`);
      health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => (r.ok ? r.json() : null), () => null);
      if (health === null) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(health.status, 'ok');
    assert.equal(health.entities, 1);
    assert.deepEqual({ ...(health.store as object), queued: 0 }, { ok: true, kind: 'sqlite', error: null, since: null, queued: 0, dropped: 0 });
    assert.equal(await healthcheck(), 0, 'HEALTHCHECK passes');
    assert.match(readFileSync(`/proc/${child.pid}/maps`, 'utf8'), /libjemalloc\.so\.2/, 'the service runs on jemalloc');
    assert.ok(existsSync(path.join(data, 'pulsemap.db')), 'the store lives in the /data volume');
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    await target.close();
    assert.equal(code, 0, `clean exit on SIGTERM (docker stop):\n${output}`);
    assert.match(output, /stripper loaded: false\n/, 'the first start of the image found every module in the compile cache');
  }
  assert.equal(await healthcheck(), 1, 'HEALTHCHECK fails when nothing answers');
});
