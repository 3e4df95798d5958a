// Alert drills with real store faults: SQLite on a 3 MB tmpfs that fills up while alerts are due,
// and PostgreSQL behind a TCP proxy that the test cuts and restores, with the HTTP API asked
// during the cut. The story is outage-scenario.ts: nothing dropped, nothing sent twice.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openWatchedStore } from '../../src/store/health.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { createApp } from '../../src/server/app.ts';
import { silentLogger } from '../../src/log.ts';
import { serve } from '../helpers/http.ts';
import { mountSmallDisk, writeUntilRefused } from '../helpers/faulty-store.ts';
import { createTestDatabase } from '../store/postgres-db.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { outageScenario } from './outage-scenario.ts';
import { startPgProxy } from './rig.ts';
import type { StoreHealth } from '../../src/store/health.ts';

// Before any test is registered: node:test starts the first test at once, and had it ended
// while this module still awaited, the file's after() hooks (closing the fake Bot API) would run
// before the PostgreSQL test was registered, which then met a refused connection.
const db = await createTestDatabase();
after(() => db.drop());

let fake: FakeTelegram;
before(async () => { fake = await startFakeTelegram(); });
after(async () => { await fake.close(); });
afterEach(() => { fake.requests.length = 0; });

test('SQLite on a 3 MB tmpfs filled while alerts are due: every transition told once space returns, none twice', async (t) => {
  const disk = mountSmallDisk();
  if (typeof disk === 'string') {
    console.log(`skipped: ${disk}`);
    t.skip(disk);
    return;
  }
  await outageScenario(fake, async (clock) => {
    const health = await openWatchedStore((onError) => openSqliteStore({ dir: disk.dir, onError }), { clock });
    return { health, temp: { dir: disk.dir, store: health.store, reopen: () => openSqliteStore({ dir: disk.dir }), remove: () => disk.remove() } };
  }, {
    async break(health) {
      disk.fill();
      await writeUntilRefused(health.store, 'ballast', 0);
    },
    async heal() { disk.free(); },
  });
});

test('PostgreSQL cut and restored: /health 503 with the error and /entities 200 during the cut; told once after', async () => {
  const proxy = await startPgProxy();
  const url = new URL(await db.freshSchema());
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  let held: StoreHealth | null = null;
  try {
    await outageScenario(fake, async (clock) => {
      const health = await openWatchedStore((onError) => openPostgresStore({ url: url.toString(), onError, connectTimeoutMs: 2_000 }), { clock });
      held = health;
      return { health, temp: { dir: '', store: health.store, reopen: () => openPostgresStore({ url: url.toString() }), remove: () => {} } };
    }, {
      async break(health) {
        await proxy.down(); // every connection cut, new ones refused
        await assert.rejects(health.store.flush().then(() => health.store.outboxDepth()));
      },
      async during(rig) {
        const api = await serve(createApp({
          monitor: rig.monitor, store: held!.store, logger: silentLogger(), clock: rig.clock, storeStatus: held!.status,
          configStatus: () => ({ path: 'entities.yaml', loaded_at: rig.clock.now(), error: null }),
        }).callback());
        try {
          const health = await api.get('/health');
          assert.equal(health.status, 503);
          const body = await health.json();
          assert.equal(body.status, 'degraded');
          assert.equal(body.store.ok, false);
          assert.equal(body.store.kind, 'postgres');
          assert.match(body.store.error, /ECONNREFUSED|terminat|connect/i);
          const list = await api.get('/entities');
          assert.equal(list.status, 200);
          assert.deepEqual((await list.json()).map((d: { name: string; status: string }) => `${d.name} ${d.status}`), ['early ok', 'flap ok', 'steady error']);
          assert.equal((await api.get('/entities/steady/history')).status, 503);
        } finally {
          await api.close();
        }
      },
      async heal() { await proxy.up(); },
    });
  } finally {
    await proxy.down();
  }
});
