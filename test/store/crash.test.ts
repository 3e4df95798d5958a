import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { writeThenKill } from './write-then-kill.ts';

const dir = mkdtempSync(join(tmpdir(), 'pulsemap-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function inspect(): { integrity: string; results: Map<string, number>; hourly: number } {
  const db = new DatabaseSync(join(dir, 'pulsemap.db'));
  try {
    const integrity = (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check;
    const rows = db.prepare('SELECT e.name, count(*) AS n FROM results r JOIN entities e ON e.id = r.entity_id GROUP BY e.name').all() as { name: string; n: number }[];
    const hourly = (db.prepare('SELECT coalesce(sum(checks), 0) AS n FROM hourly').get() as { n: number }).n;
    return { integrity, results: new Map(rows.map((r) => [r.name, r.n])), hourly };
  } finally {
    db.close();
  }
}

it('survives kill -9 mid-write with every committed batch complete', async () => {
  // Several rounds: each child continues from the state the last one left.
  for (let round = 0; round < 3; round++) {
    const reported = await writeThenKill(['sqlite', dir], 3_000);
    const { integrity, results, hourly } = inspect();
    assert.equal(integrity, 'ok');
    const stored = [...results.values()].reduce((a, b) => a + b, 0);
    assert.ok(stored >= reported, `round ${round}: ${stored} stored, ${reported} reported flushed`);
    assert.equal(hourly, stored, 'hourly aggregates match the stored results');

    const store = await openSqliteStore({ dir });
    try {
      const states = await store.loadStates();
      for (const [name, n] of results) {
        const s = states.get(name);
        assert.equal((s?.success_count ?? 0) + (s?.fail_count ?? 0), n, `round ${round}: state of ${name} matches its results`);
      }
    } finally {
      await store.close();
    }
  }
});
