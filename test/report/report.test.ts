// The monthly report against a hand-computed fixture (November 2026, 2,592,000 seconds), through
// the store, GET /report and `pulsemap report`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import type { Status, Transition } from '../../src/types.ts';
import { buildReport, csvCell, reportCsv } from '../../src/report/report.ts';
import { apiEntity } from '../helpers/entities.ts';

const run = promisify(execFile);
const T = (s: string) => Date.parse(`2026-${s}Z`);
const NOW = T('12-03T00:00:00');
let dir: string;
let store: Store;

const entities = [
  apiEntity('web', 'http://127.0.0.1:1/', ['db'], { group: 'shop' }),
  apiEntity('db', 'http://127.0.0.1:1/', [], { group: 'shop' }),
];

function move(name: string, from: Status, to: Status, at: string, blocked_by: string | null = null): Transition {
  return { name, from, to, at: T(at), message: 'm', blocked_by, prev_since: null };
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-report-'));
  store = await openSqliteStore({ dir });
  for (const t of [
    move('db', 'unknown', 'ok', '10-15T08:00:00'), // before the month: db is ok on Nov 1
    move('db', 'ok', 'error', '11-10T12:00:00'),
    move('db', 'error', 'ok', '11-10T13:00:00'), // 1 h down
    move('web', 'unknown', 'ok', '11-01T00:00:00'),
    move('web', 'ok', 'blocked', '11-10T12:05:00', 'db'),
    move('web', 'blocked', 'ok', '11-10T13:00:00'), // 55 min blocked
    move('web', 'ok', 'pending', '11-20T00:00:00'),
    move('web', 'pending', 'error', '11-20T00:02:00'),
    move('web', 'error', 'ok', '11-20T00:32:00'), // 2 min pending, 30 min down
    move('web', 'ok', 'error', '11-30T23:00:00'),
    move('web', 'error', 'ok', '12-01T01:00:00'), // runs into December: 1 h of it in November
  ]) store.saveTransition(t);
  // Ten checks of web on Nov 5, three failed; one of December that the report leaves out.
  for (let i = 0; i < 10; i++) {
    const ok = i < 1 || i > 3;
    store.saveResult({ name: 'web', at: T('11-05T10:00:00') + i * 60_000, ok, status: 'ok', latency_ms: 20, message: '' },
      { name: 'web', status: 'ok', since: null, lastcheck: null, success_count: 0, fail_count: 0, consecutive_failures: 0, consecutive_successes: 0, blocked_by: null, message: '', latency_ms: null, extra: {}, last_ok: ok });
  }
  store.saveResult({ name: 'web', at: T('12-01T00:00:00'), ok: false, status: 'error', latency_ms: null, message: '' },
    { name: 'web', status: 'error', since: null, lastcheck: null, success_count: 0, fail_count: 0, consecutive_failures: 0, consecutive_successes: 0, blocked_by: null, message: '', latency_ms: null, extra: {}, last_ok: false });
  await store.flush();
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const MONTH = 2_592_000;
// By hand: db down 3,600 s. web blocked 3,300 s, pending 120 s, down 1,800 + 3,600 = 5,400 s.
// The group (worst member at each moment): down 12:00-13:00 on Nov 10 (db), 00:02-00:32 on
// Nov 20 and the last hour of Nov 30 (web) = 9,000 s; pending 120 s.
const EXPECTED = {
  db: { checks: 0, failures: 0, uptime: null, availability: 0.998611, downtime_s: 3600, blocked_s: 0, seconds: { ok: MONTH - 3600, degraded: 0, pending: 0, error: 3600, blocked: 0, maintenance: 0 } },
  web: { checks: 10, failures: 3, uptime: 0.7, availability: 0.996644, downtime_s: 5400, blocked_s: 3300, seconds: { ok: MONTH - 3300 - 120 - 5400, degraded: 0, pending: 120, error: 5400, blocked: 3300, maintenance: 0 } },
  shop: { checks: 10, failures: 3, uptime: 0.7, availability: 0.996528, downtime_s: 9000, blocked_s: 0, seconds: { ok: MONTH - 9120, degraded: 0, pending: 120, error: 9000, blocked: 0, maintenance: 0 } },
};

test('the November report matches the hand-computed figures and incidents', async () => {
  const report = await buildReport(store, entities, '2026-11', NOW);
  assert.equal(report.from, '2026-11-01T00:00:00.000Z');
  assert.equal(report.to, '2026-12-01T00:00:00.000Z');
  const rows = [...report.entities, ...report.groups];
  assert.deepEqual(rows.map((r) => [r.kind, r.name]), [['entity', 'web'], ['entity', 'db'], ['group', 'shop']]);
  for (const r of rows) {
    const e = EXPECTED[r.name as keyof typeof EXPECTED];
    assert.deepEqual({ checks: r.checks, failures: r.failures, uptime: r.uptime, availability: r.availability, downtime_s: r.downtime_s, blocked_s: r.blocked_s, seconds: r.seconds }, e, r.name);
    assert.equal(r.maintenance_s, 0);
    assert.equal(r.coverage, 1, r.name);
  }
  const inc = (r: (typeof rows)[number]) => r.incidents.map((i) => [i.start.slice(5, 16), i.end?.slice(5, 16) ?? null, i.duration_s, i.root_cause, i.blocked_only]);
  assert.deepEqual(inc(rows[0]!), [
    ['11-10T12:05', '11-10T13:00', 3300, 'db', true],
    ['11-20T00:02', '11-20T00:32', 1800, 'web', false],
    ['11-30T23:00', '12-01T00:00', 3600, 'web', false],
  ]);
  assert.deepEqual(inc(rows[1]!), [['11-10T12:00', '11-10T13:00', 3600, 'db', false]]);
  assert.deepEqual(inc(rows[2]!), [
    ['11-10T12:00', '11-10T13:00', 3600, 'db', false],
    ['11-20T00:02', '11-20T00:32', 1800, 'web', false],
    ['11-30T23:00', '12-01T00:00', 3600, 'web', false],
  ]);

  const csv = reportCsv(report).split('\r\n');
  assert.equal(csv[0], 'record,kind,name,checks,failures,uptime,availability,downtime_s,blocked_s,maintenance_s,coverage,incident_start,incident_end,incident_duration_s,root_cause,blocked_only');
  assert.equal(csv[1], 'summary,entity,web,10,3,0.7,0.996644,5400,3300,0,1,,,,,');
  assert.equal(csv[2], 'summary,entity,db,0,0,,0.998611,3600,0,0,1,,,,,');
  assert.equal(csv[3], 'summary,group,shop,10,3,0.7,0.996528,9000,0,0,1,,,,,');
  assert.equal(csv[4], 'incident,entity,web,,,,,,,,,2026-11-10T12:05:00.000Z,2026-11-10T13:00:00.000Z,3300,db,true');
  assert.equal(csv.length, 1 + 3 + 7 + 1); // header, summaries, incidents, final empty line
});

test('time in maintenance is left out of availability and reported apart', async () => {
  for (const t of [
    move('batch', 'unknown', 'ok', '10-01T00:00:00'),
    move('batch', 'ok', 'maintenance', '11-05T02:00:00'),
    move('batch', 'maintenance', 'ok', '11-05T04:00:00'), // a 2 h window
    move('batch', 'ok', 'error', '11-06T00:00:00'),
    move('batch', 'error', 'ok', '11-06T01:00:00'), // 1 h down
  ]) store.saveTransition(t);
  await store.flush();
  const report = await buildReport(store, [apiEntity('batch', 'http://127.0.0.1:1/')], '2026-11', NOW);
  const [batch] = report.entities;
  assert.equal(batch!.maintenance_s, 7200);
  assert.equal(batch!.downtime_s, 3600);
  // By hand: (2,592,000 - 7,200 - 3,600) / (2,592,000 - 7,200) = 2,581,200 / 2,584,800.
  assert.equal(batch!.availability, 0.998607);
  assert.equal(batch!.coverage, 1);
  assert.deepEqual(batch!.incidents.map((i) => [i.start.slice(5, 16), i.duration_s, i.root_cause]), [['11-06T00:00', 3600, 'batch']]);
  assert.equal(reportCsv(report).split('\r\n')[1], 'summary,entity,batch,0,0,,0.998607,3600,0,7200,1,,,,,');
});

test('a month in progress runs to now; an incident still running has no end', async () => {
  const report = await buildReport(store, entities, '2026-12', T('12-01T00:30:00'));
  assert.equal(report.to, '2026-12-01T00:30:00.000Z');
  const web = report.entities[0]!;
  assert.deepEqual(web.incidents.map((i) => [i.start, i.end, i.duration_s]), [['2026-12-01T00:00:00.000Z', null, 1800]]);
  assert.equal(web.checks, 1);
});

test('CSV cells are quoted and never start a formula', () => {
  assert.deepEqual(['a,b', 'say "x"', '=HYPERLINK("http://x")', '-1+1', 3, null, true].map(csvCell),
    ['"a,b"', '"say ""x"""', `"'=HYPERLINK(""http://x"")"`, "'-1+1", '3', '', 'true']);
});

test('pulsemap report --month prints the same report as JSON or CSV; bad input exits 2', async () => {
  writeFileSync(path.join(dir, 'entities.yaml'), 'entities:\n  web: { type: api, url: "http://127.0.0.1:1/", dependencies: [db], group: shop }\n  db: { type: api, url: "http://127.0.0.1:1/", group: shop }\n');
  await store.flush();
  const cli = path.resolve(import.meta.dirname, '../../src/cli.ts');
  const args = ['report', '--month', '2026-11', '--config', path.join(dir, 'entities.yaml'), '--data', dir];
  const json = JSON.parse((await run(process.execPath, [cli, ...args])).stdout);
  assert.deepEqual(json.entities.map((r: { name: string; availability: number }) => [r.name, r.availability]), [['web', 0.996644], ['db', 0.998611]]);
  const csv = (await run(process.execPath, [cli, ...args, '--format', 'csv'])).stdout;
  assert.equal(csv.split('\r\n')[3], 'summary,group,shop,10,3,0.7,0.996528,9000,0,0,1,,,,,');
  const bad = await run(process.execPath, [cli, 'report', '--month', '2026-13']).catch((e: { code: number; stderr: string }) => e);
  assert.equal((bad as { code: number }).code, 2);
  assert.match((bad as { stderr: string }).stderr, /'2026-13' is not a month \(YYYY-MM\)/);
});
