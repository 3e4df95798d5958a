// `pulsemap render` as a user runs it: the map of the stored state, as SVG or nomnoml source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { initialState } from '../../src/monitor/state.ts';
import { entityCells, foreignMarkup } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
let dir: string;
let file: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'render', ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-render-'));
  file = path.join(dir, 'entities.yaml');
  writeFileSync(file, [
    'title: Render test',
    'entities:',
    '  web: { type: api, url: "http://127.0.0.1:9/", dependencies: [db], extra: { note: "<b>hi</b>" } }',
    '  db: { type: ping, host: 127.0.0.1 }',
    '',
  ].join('\n'));
  // A stored state, as a running pulsemap leaves it.
  const store = await openSqliteStore({ dir: path.join(dir, 'data') });
  store.saveState({ ...initialState('db'), status: 'error', since: 1, lastcheck: 1, fail_count: 3, consecutive_failures: 3, message: 'no reply', last_ok: false });
  await store.flush();
  await store.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('render --format nomnoml prints the live source for the stored state', async () => {
  const run = await cli(['--config', file, '--data', path.join(dir, 'data'), '--format', 'nomnoml']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^#title: Render test$/m);
  assert.match(run.stdout, /^\[<error id=n2>db\|no answer\]$/m);
  assert.match(run.stdout, /^\[<unknown id=n1>web\|.*note: \\<b\\>hi\\<\/b\\>\]$/m);
  assert.match(run.stdout, /^\[n1\] -> \[n2\]$/m);
});

test('render prints the SVG by default; bad flags are usage errors', async () => {
  const run = await cli(['--config', file, '--data', path.join(dir, 'data')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^<svg class="pm-map"/);
  assert.equal(entityCells(run.stdout), 2);
  assert.match(run.stdout, /class="pm-node pm-error" data-entity="db"/);
  assert.deepEqual(foreignMarkup(run.stdout), []);
  assert.equal((await cli(['--format', 'png', '--config', file])).code, 2);
  assert.equal((await cli(['--nope'])).code, 2);
});

test('render takes the view flags: --focus, --view, --group; an unknown name exits 1, a bad view 2', async () => {
  const args = ['--config', file, '--data', path.join(dir, 'data'), '--format', 'nomnoml'];
  const focus = await cli([...args, '--focus', 'db']);
  assert.equal(focus.code, 0, focus.stderr);
  assert.match(focus.stdout, /^\/\/ pulsemap view: focus:db$/m);
  const problems = await cli([...args, '--view', 'problems']);
  assert.match(problems.stdout, /^\[<error id=n1>db\|no answer\]$/m);
  assert.doesNotMatch(problems.stdout, /web/, 'only what is failing');
  const none = await cli([...args, '--group', 'nope']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no group 'nope'/);
  assert.equal((await cli([...args, '--view', 'everything'])).code, 2);
});

test('render shows maintenance where the running service showed it', async () => {
  const data = path.join(dir, 'data-maintenance');
  const store = await openSqliteStore({ dir: data });
  store.saveState({ ...initialState('db'), status: 'error', since: 1, lastcheck: 1, fail_count: 3, consecutive_failures: 3, message: 'no reply', last_ok: false });
  await store.setMeta('maintenance_shown', JSON.stringify({ db: 5 }));
  await store.flush();
  await store.close();
  const run = await cli(['--config', file, '--data', data]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /class="pm-node pm-maintenance" data-entity="db" data-status="maintenance"/);
});
