// The latest result of each site, shared through the store: what one instance receives, another
// (the one that judges the entity) reads back. On SQLite and on the real PostgreSQL.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSiteTable } from '../../src/probes/sites.ts';
import type { SiteResult } from '../../src/probes/verdict.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/store.ts';
import { captureLogger } from '../alerts/helpers.ts';
import { createTestDatabase } from '../store/postgres-db.ts';

const T0 = Date.parse('2026-12-02T03:00:00.000Z');
const r = (at: number, ok: boolean, message = ok ? 'ok' : 'refused'): SiteResult => ({ at, ok, latency_ms: ok ? 10 : null, message, extra: {} });

const db = await createTestDatabase();
after(() => db.drop());

const backends: [string, () => Promise<{ stores: [Store, Store]; close(): Promise<void> }>][] = [
  ['sqlite', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-sites-'));
    const store = await openSqliteStore({ dir });
    return { stores: [store, store], close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
  ['postgres', async () => {
    const url = await db.freshSchema();
    const a = await openPostgresStore({ url });
    const b = await openPostgresStore({ url });
    return { stores: [a, b], close: async () => { await a.close(); await b.close(); } };
  }],
];

for (const [kind, open] of backends) {
  describe(`site results in the ${kind} store`, () => {
    it('what one instance receives, the other reads; older never replaces newer; sites never overwrite each other', async () => {
      const { stores, close } = await open();
      try {
        const { logger } = captureLogger();
        const receiver = createSiteTable({ store: stores[0], logger });
        const owner = createSiteTable({ store: stores[1], logger });
        assert.equal(receiver.record('shop', 'fra', r(T0, false)), true);
        await receiver.persist([['shop', 'fra']]);
        // Meanwhile nyc's probe talks to the owner.
        owner.record('shop', 'nyc', r(T0 + 1000, true));
        await owner.persist([['shop', 'nyc']]);
        const before = owner.version('shop');
        await owner.refresh('shop', ['fra', 'nyc']);
        assert.deepEqual(Object.fromEntries(owner.sites('shop')), { fra: r(T0, false), nyc: r(T0 + 1000, true) });
        assert.equal(owner.version('shop'), before + 1, 'one new result read');
        await owner.refresh('shop', ['fra', 'nyc']);
        assert.equal(owner.version('shop'), before + 1, 'nothing new the second time');
        // A buffered result older than the one held is accepted but changes nothing.
        assert.equal(receiver.record('shop', 'fra', r(T0 - 60_000, true)), false);
        await receiver.persist([['shop', 'fra']]);
        await owner.refresh('shop', ['fra']);
        assert.equal(owner.sites('shop').get('fra')!.ok, false);
        // A newer one replaces it everywhere.
        receiver.record('shop', 'fra', r(T0 + 5000, true, 'HTTP 200'));
        await receiver.persist([['shop', 'fra']]);
        await owner.refresh('shop', ['fra']);
        assert.deepEqual(owner.sites('shop').get('fra'), r(T0 + 5000, true, 'HTTP 200'));
        const restarted = createSiteTable({ store: stores[1], logger });
        await restarted.refresh('shop', ['fra', 'nyc']);
        assert.deepEqual([...restarted.sites('shop').keys()], ['fra', 'nyc'], 'a restarted instance reads them back');
        owner.keepOnly(new Set());
        assert.equal(owner.sites('shop').size, 0);
      } finally {
        await close();
      }
    });
  });
}
