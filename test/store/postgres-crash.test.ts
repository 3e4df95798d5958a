import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { SCHEMA_VERSION } from '../../src/store/postgres-migrations.ts';
import { createTestDatabase } from './postgres-db.ts';
import { writeThenKill } from './write-then-kill.ts';

const db = await createTestDatabase();
after(() => db.drop());
const url = new URL(await db.freshSchema());
// Lets the test wait until the killed writer's server session has ended.
url.searchParams.set('application_name', 'pulsemap_crash_child');

/** The server rolls back (or finishes committing) a dead client's transaction when it notices; wait for that. */
async function sessionsGone(): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pulsemap_crash_child'`,
    );
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Snapshot {
  results: Map<string, number>;
  hourly: number;
  mismatchedHours: number;
  version: number;
}

/** Everything read in one snapshot, so the figures are comparable. */
async function inspect(): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: url.toString().replace('pulsemap_crash_child', 'pulsemap_crash_test') });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const rows = (await client.query<{ name: string; n: number }>(
      'SELECT e.name, count(*)::int AS n FROM results r JOIN entities e ON e.id = r.entity_id GROUP BY e.name',
    )).rows;
    const hourly = (await client.query<{ n: number }>('SELECT coalesce(sum(checks), 0)::int AS n FROM hourly')).rows[0]!.n;
    const mismatchedHours = (await client.query<{ n: number }>(`
      SELECT count(*)::int AS n FROM hourly h FULL JOIN (
        SELECT entity_id, (at / 3600000) * 3600000 AS hour_start, count(*) AS checks, count(*) FILTER (WHERE ok) AS successes
        FROM results GROUP BY 1, 2) r USING (entity_id, hour_start)
      WHERE r.checks IS DISTINCT FROM h.checks OR r.successes IS DISTINCT FROM h.successes`)).rows[0]!.n;
    const version = (await client.query<{ version: number }>('SELECT version FROM pulsemap_schema')).rows[0]!.version;
    await client.query('COMMIT');
    return { results: new Map(rows.map((r) => [r.name, r.n])), hourly, mismatchedHours, version };
  } finally {
    await client.end();
  }
}

it('survives kill -9 mid-write with every committed batch complete', async () => {
  // Several rounds: each child continues from the state the last one left.
  for (let round = 0; round < 3; round++) {
    const reported = await writeThenKill(['postgres', url.toString()], 5_000);
    await sessionsGone();
    const { results, hourly, mismatchedHours, version } = await inspect();
    assert.equal(version, SCHEMA_VERSION);
    const stored = [...results.values()].reduce((a, b) => a + b, 0);
    assert.ok(stored >= reported, `round ${round}: ${stored} stored, ${reported} reported committed`);
    assert.equal(hourly, stored, 'hourly aggregates match the stored results');
    assert.equal(mismatchedHours, 0, 'every hour bucket matches its results');

    const store = await openPostgresStore({ url: url.toString() });
    try {
      const states = await store.loadStates();
      for (const [name, n] of results) {
        const s = states.get(name);
        assert.equal((s?.success_count ?? 0) + (s?.fail_count ?? 0), n, `round ${round}: state of ${name} matches its results`);
        assert.equal((await store.history(name, { limit: 1 }))[0]?.at, s?.lastcheck, `round ${round}: newest result of ${name} is its state's`);
      }
    } finally {
      await store.close();
    }
  }
});
