// bin/pulsemap.js, the entry point users run: it refuses a Node older than 24 with one line,
// runs the command line on 24, and keeps Node's compile cache where NODE_COMPILE_CACHE says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LAUNCHER = path.join(root, 'bin/pulsemap.js');
const REFUSAL = /^pulsemap: needs Node\.js 24 or newer to run its TypeScript sources; this is Node v\d+\.\d+\.\d+\n$/;

function run(node: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const { PULSEMAP_CONFIG: _c, NODE_COMPILE_CACHE: _n, ...inherited } = process.env;
  const r = spawnSync(node, args, { cwd: root, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const majorOf = (node: string): number => {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? Number(/^v(\d+)\./.exec(r.stdout)?.[1]) : NaN;
};

/** A Node older than 24 installed on this machine (npm puts the pinned Node 24 first on PATH). */
function olderNode(): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && !d.includes('node_modules'));
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const node = path.join(dir, 'node');
    if (existsSync(node) && majorOf(node) < 24) return node;
  }
  return null;
}

const old = olderNode();

test('an older Node installed here (as the system Node often is): exit 1 and one line saying why', { skip: old === null && 'no Node older than 24 on this machine' }, () => {
  const r = run(old!, [LAUNCHER, 'serve', '--port', '0']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, REFUSAL);
  assert.ok(r.stderr.includes(`Node v${majorOf(old!)}.`), r.stderr);
});

test('a Node that reports version 22 (faked before the launcher runs): the same one line, nothing started', () => {
  const fake = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"22.9.0"});Object.defineProperty(process,"version",{value:"v22.9.0"})';
  const r = run(process.execPath, ['--import', fake, LAUNCHER, 'validate', 'entities.yaml']);
  assert.deepEqual(r, { code: 1, stdout: '', stderr: 'pulsemap: needs Node.js 24 or newer to run its TypeScript sources; this is Node v22.9.0\n' });
});

test('on Node 24 it runs the command line: output and exit codes pass through', () => {
  const version = (JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' }).stdout) as { version: string }).version;
  assert.deepEqual(run(process.execPath, [LAUNCHER, '--version']), { code: 0, stdout: `${version}\n`, stderr: '' });
  assert.deepEqual(run(process.execPath, [LAUNCHER, 'validate', 'test/fixtures/config/good-small.yaml']), { code: 0, stdout: 'ok: 3 entities\n', stderr: '' });
  const bad = run(process.execPath, [LAUNCHER, 'validate', 'test/fixtures/config/cycle.yaml']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'test/fixtures/config/cycle.yaml:5:20: dependency cycle: a -> b -> c -> a\n');
  const unknown = run(process.execPath, [LAUNCHER, 'frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^pulsemap: unknown command 'frobnicate'\n/);
});

/** Prints, at exit, whether Node loaded its TypeScript stripper (amaro) in this process. */
const REPORT_STRIPPER = 'data:text/javascript,process.on("exit",()=>process.stderr.write("stripper loaded: "+process.moduleLoadList.some((m)=>m.includes("amaro"))+"\\n"))';

test('the compile cache goes where NODE_COMPILE_CACHE says; a later start skips the type stripper', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-compile-cache-'));
  try {
    const cache = path.join(dir, 'cache');
    const validate = () => run(process.execPath, ['--import', REPORT_STRIPPER, LAUNCHER, 'validate', 'entities.yaml'], { NODE_COMPILE_CACHE: cache });
    assert.deepEqual(validate(), { code: 0, stdout: 'ok: 3 entities\n', stderr: 'stripper loaded: true\n' });
    assert.ok(readdirSync(cache, { recursive: true }).length > 0, 'the first run wrote the cache');
    assert.deepEqual(validate(), { code: 0, stdout: 'ok: 3 entities\n', stderr: 'stripper loaded: false\n' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable cache directory costs only the cache: the command still runs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-compile-cache-'));
  try {
    // A regular file where the directory should be: no user, root included, can create it.
    const blocked = path.join(dir, 'file');
    writeFileSync(blocked, '');
    assert.deepEqual(run(process.execPath, [LAUNCHER, 'validate', 'entities.yaml'], { NODE_COMPILE_CACHE: path.join(blocked, 'cache') }), { code: 0, stdout: 'ok: 3 entities\n', stderr: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
