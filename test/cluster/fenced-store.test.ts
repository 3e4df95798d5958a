// The alerter's epoch fence on a real PostgreSQL: once another instance holds the lease, the old
// holder can neither queue, claim, record a message nor overwrite the bookkeeping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/store.ts';
import { fencedStore, NotLeaderError } from '../../src/cluster/fenced-store.ts';
import { CLAIM_LEADER } from '../../src/cluster/sql.ts';
import { createTestDatabase } from '../store/postgres-db.ts';
import type { TestDatabase } from '../store/postgres-db.ts';

describe('the alerter\'s writes fenced by its epoch', () => {
  let db: TestDatabase;
  let store: Store;
  let pool: pg.Pool;
  let url: string;

  before(async () => {
    db = await createTestDatabase();
    url = await db.freshSchema();
    store = await openPostgresStore({ url });
    pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => {});
  });
  after(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  const claim = async (instance: string) => {
    await pool.query(CLAIM_LEADER, ['c1', instance, 60_000]);
    return Number((await pool.query('SELECT epoch FROM cluster_leader WHERE cluster = $1', ['c1'])).rows[0].epoch);
  };
  const message = (key: string) => ({ channel: 'telegram', key, payload: '{}', created_at: 1_000 });

  it('lets the holder write, and refuses every write of a deposed holder', async () => {
    const epochA = await claim('a');
    const a = fencedStore(store, pool, { cluster: 'c1', instance: 'a', epoch: epochA });
    assert.equal(await a.outboxAdd(message('k1')), true);
    await a.setMeta('alerts', '{"by":"a"}');
    const [due] = await store.outboxDue(Number.MAX_SAFE_INTEGER, 10);
    assert.equal(await a.outboxClaim(due!.id), true);

    // a's lease lapses (as in a pause past it) and b takes over with a higher epoch.
    await pool.query(`UPDATE cluster_leader SET expires_at = now() - interval '1 second' WHERE cluster = 'c1'`);
    const epochB = await claim('b');
    assert.equal(epochB, epochA + 1);
    const b = fencedStore(store, pool, { cluster: 'c1', instance: 'b', epoch: epochB });

    await assert.rejects(a.outboxAdd(message('k2')), NotLeaderError);
    await assert.rejects(a.setMeta('alerts', '{"by":"a, late"}'), NotLeaderError);
    await assert.rejects(a.outboxSent(due!.id, 2_000), NotLeaderError);
    assert.equal(await a.outboxClaim(due!.id), false);
    assert.equal(await store.getMeta('alerts'), '{"by":"a"}');
    assert.deepEqual((await store.outboxDue(Number.MAX_SAFE_INTEGER, 10)).map((m) => m.key), ['k1']);

    // The new holder delivers what the old one claimed but never recorded: a duplicate, not silence.
    assert.equal(await b.outboxClaim(due!.id), true);
    await b.outboxSent(due!.id, 3_000);
    assert.equal(await store.outboxDepth(), 0);
    const row = (await pool.query('SELECT claimed_by, claimed_epoch FROM outbox WHERE id = $1', [due!.id])).rows[0];
    assert.deepEqual({ by: row.claimed_by, epoch: Number(row.claimed_epoch) }, { by: 'b', epoch: epochB });
    // b renewing keeps its epoch; a coming back while b holds the lease gets nothing.
    assert.equal(await claim('b'), epochB);
    assert.equal(await claim('a'), epochB);
  });
});
