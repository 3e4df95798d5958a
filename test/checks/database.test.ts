// database check against the real PostgreSQL (PGURL), a silent TCP server, a closed port and a
// throwaway cluster that demands scram passwords.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCheck } from '../../src/checks/index.ts';
import type { CheckOutcome, DatabaseEntity } from '../../src/types.ts';
import { closedPort, PGURL, startScramCluster, startSilentServer } from '../helpers/pg.ts';
import type { ScramCluster } from '../helpers/pg.ts';

/** Allowed lateness of a timed-out check: runCheck's grace plus scheduling noise. */
const MARGIN_MS = 400;
const PASSWORD = 'Pw-8c1e!x%';

function databaseEntity(url: string, over: Partial<Omit<DatabaseEntity, 'type' | 'name'>> = {}): DatabaseEntity {
  return {
    name: 'db', type: 'database', url, query: 'select 1', target: 'db', interval: 60, timeout: 3, retry_interval: 15,
    failure_threshold: 3, success_threshold: 1, dependencies: [], group: null, extra: {}, line: 1, ...over,
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.href;
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.href;
}

/** The password must not leak anywhere in an outcome, raw or URL-encoded. */
function assertNoSecret(outcome: CheckOutcome, secret: string): void {
  const text = JSON.stringify(outcome);
  assert.ok(!text.includes(secret) && !text.includes(encodeURIComponent(secret)), text);
}

async function timed(check: Promise<CheckOutcome>): Promise<[CheckOutcome, number]> {
  const started = performance.now();
  const outcome = await check;
  return [outcome, performance.now() - started];
}

describe('database check', () => {
  it('passes and reports the database size', async () => {
    const outcome = await runCheck(databaseEntity(PGURL));
    assert.equal(outcome.ok, true, outcome.message);
    assert.match(outcome.message, /^query ok in \d+ ms$/);
    assert.equal(typeof outcome.latency_ms, 'number');
    assert.equal(typeof outcome.extra.size_bytes, 'number');
    assert.ok((outcome.extra.size_bytes as number) > 0);
    assert.match(String(outcome.extra.size), /^\d+\.\d (kB|MB|GB)$/);
  });

  const failures: { name: string; url: () => Promise<string>; query?: string; message: string }[] = [
    { name: 'unknown database', url: async () => withPassword(withDatabase(PGURL, 'pulsemap_nope'), PASSWORD), message: 'database "pulsemap_nope" does not exist' },
    { name: 'refused port', url: async () => `postgres://monitor:${encodeURIComponent(PASSWORD)}@127.0.0.1:${await closedPort()}/x`, message: 'connection refused' },
    { name: 'query error', url: async () => withPassword(PGURL, PASSWORD), query: 'select * from pulsemap_no_such_table', message: 'query failed: relation "pulsemap_no_such_table" does not exist' },
    { name: 'query error quoting the password', url: async () => withPassword(PGURL, PASSWORD), query: `select '${PASSWORD}'::int`, message: 'query failed: invalid input syntax for type integer: "***"' },
  ];
  for (const c of failures) {
    it(c.name, async () => {
      const outcome = await runCheck(databaseEntity(await c.url(), c.query === undefined ? {} : { query: c.query }));
      assert.deepEqual([outcome.ok, outcome.message], [false, c.message]);
      assertNoSecret(outcome, PASSWORD);
    });
  }

  it('a server that accepts and stays silent times out, and the socket is closed', async () => {
    const silent = await startSilentServer();
    try {
      const url = `postgres://monitor:${encodeURIComponent(PASSWORD)}@127.0.0.1:${silent.port}/x`;
      const [outcome, ms] = await timed(runCheck(databaseEntity(url, { timeout: 0.3 })));
      assert.deepEqual([outcome.ok, outcome.message], [false, 'timeout after 0.3 s']);
      assert.ok(ms < 300 + MARGIN_MS, `took ${ms} ms`);
      for (let i = 0; i < 50 && silent.stats.closed < silent.stats.accepted; i++) await sleep(10);
      assert.equal(silent.stats.closed, silent.stats.accepted, 'connection left open');
    } finally {
      await silent.close();
    }
  });

  it('a slow query times out', async () => {
    const [outcome, ms] = await timed(runCheck(databaseEntity(PGURL, { query: 'select pg_sleep(5)', timeout: 0.4 })));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'timeout after 0.4 s']);
    assert.ok(ms < 400 + MARGIN_MS, `took ${ms} ms`);
  });
});

describe('database check, scram authentication', () => {
  let cluster: ScramCluster | string;
  before(async () => {
    cluster = await startScramCluster('monitor', PASSWORD);
  });
  after(async () => {
    if (typeof cluster !== 'string') await cluster.stop();
  });

  const cases = [
    { name: 'wrong password', password: 'not-the-password', ok: false, message: 'authentication failed for user "monitor"' },
    { name: 'right password', password: PASSWORD, ok: true, message: /^query ok in \d+ ms$/ },
  ] as const;
  for (const c of cases) {
    it(c.name, async (t) => {
      if (typeof cluster === 'string') return t.skip(cluster);
      const outcome = await runCheck(databaseEntity(cluster.url(c.password)));
      assert.equal(outcome.ok, c.ok);
      if (typeof c.message === 'string') assert.equal(outcome.message, c.message);
      else assert.match(outcome.message, c.message);
      assertNoSecret(outcome, c.password);
    });
  }

  it('no password at all', async (t) => {
    if (typeof cluster === 'string') return t.skip(cluster);
    const outcome = await runCheck(databaseEntity(`postgres://monitor@127.0.0.1:${cluster.port}/postgres`));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'password required for user "monitor"']);
  });
});
