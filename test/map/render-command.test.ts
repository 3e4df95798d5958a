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

test('render: more top-level groups than the budget are range cells; --range opens one into its groups', async () => {
  const many = path.join(dir, 'many-groups.yaml');
  const group = (g: number): string => `svc-${String(g).padStart(3, '0')}`;
  writeFileSync(many, ['title: Many groups', 'entities:', ...Array.from({ length: 150 }, (_, g) =>
    `  e${g}: { type: ping, host: 127.0.0.1, group: ${group(g)}${g > 0 ? `, dependencies: [e${g - 1}]` : ''} }`), ''].join('\n'));
  const args = ['--config', many, '--data', path.join(dir, 'data-many')];
  const overview = await cli(args);
  assert.equal(overview.code, 0, overview.stderr);
  const ranges = [...overview.stdout.matchAll(/class="pm-node pm-cluster pm-range pm-unknown" data-range="([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(ranges.length > 1 && ranges.length <= 60, `${ranges.length} range cells`);
  assert.equal(ranges[0], `${group(0)}..${/^svc-\d+\.\.(svc-\d+)$/.exec(ranges[0]!)![1]}`);
  assert.doesNotMatch(overview.stdout, /data-group=/);
  assert.deepEqual(foreignMarkup(overview.stdout), []);

  const opened = await cli([...args, '--range', ranges[1]!]);
  assert.equal(opened.code, 0, opened.stderr);
  assert.match(opened.stdout, /data-view="range:svc-\d+\.\.svc-\d+"/);
  const [first, last] = ranges[1]!.split('..') as [string, string];
  const inside = [...opened.stdout.matchAll(/data-group="([^"]+)"/g)].map((m) => m[1]!).filter((g) => g >= first && g <= last);
  assert.equal(inside[0], first);
  assert.equal(inside.at(-1), last);
  assert.equal((await cli([...args, '--range', 'svc-000'])).code, 2, 'not FIRST..LAST');
  const none = await cli([...args, '--range', 'svc-000..nope']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no range 'svc-000\.\.nope'/);
});
