// PostgreSQL gone for all instances at once (every connection dropped, new ones refused) for
// longer than the lease: every instance stands down, all come back when it returns, and no
// false alert goes out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../store/postgres-db.ts';
import type { TestDatabase } from '../store/postgres-db.ts';
import { startRelay } from '../helpers/relay.ts';
import type { Relay } from '../helpers/relay.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startFakeTelegram } from '../alerts/fake-telegram.ts';
import type { FakeTelegram } from '../alerts/fake-telegram.ts';
import { TOKEN } from '../alerts/helpers.ts';
import { getJson, startInstance, stop, until } from './instances.ts';
import type { Instance } from './instances.ts';

describe('PostgreSQL unreachable under all instances', () => {
  let db: TestDatabase;
  let relay: Relay;
  let dir: string;
  let target: Target;
  let fake: FakeTelegram;
  const instances: Instance[] = [];

  before(async () => {
    db = await createTestDatabase();
    const url = await db.freshSchema();
    relay = await startRelay(new URL(url));
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-cluster-outage-'));
    target = await startTarget();
    fake = await startFakeTelegram();
    const config = path.join(dir, 'entities.yaml');
    const entities = Array.from({ length: 12 }, (_, i) => `  e${i}: { type: api, url: "${target.url}", interval: 1, failure_threshold: 1 }`);
    writeFileSync(config, `cluster: { name: outage, lease: 4 }
notify:
  telegram:
    token: \${TELEGRAM_BOT_TOKEN}
    chat_id: "-100200300"
    api_url: ${fake.apiRoot}
entities:
${entities.join('\n')}
`);
    for (const id of ['a', 'b', 'c']) {
      instances.push(await startInstance({ id, config, store: relay.url(url), data: path.join(dir, id), env: { TELEGRAM_BOT_TOKEN: TOKEN } }));
    }
  });

  after(async () => {
    for (const instance of instances) {
      instance.child.kill('SIGKILL');
      await instance.exited;
    }
    await fake.close();
    await target.close();
    await relay.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all stand down, all come back, and nothing is alerted', async () => {
    const allOk = () => until(async () => {
      const views = await Promise.all(instances.map((i) => getJson(`${i.url}/entities`)));
      return views.every((docs) => docs.length === 12 && docs.every((d: any) => d.status === 'ok')) ? true : undefined;
    }, 'every entity ok on every instance');
    await allOk();
    relay.partition();
    await until(async () => {
      const statuses = await Promise.all(instances.map(async (i) => (await fetch(`${i.url}/health`)).status));
      return statuses.every((s) => s === 503) ? true : undefined;
    }, 'every instance standing down');
    relay.heal();
    await until(async () => {
      const views = await Promise.all(instances.map((i) => getJson(`${i.url}/health`)));
      return views.every((h) => h.status === 'ok' && h.cluster.leader !== null && h.cluster.instances.filter((m: any) => m.alive).length === 3)
        ? true : undefined;
    }, 'every instance back, with a leader');
    const before = (await getJson(`${instances[0]!.url}/entities/e0`)).success_count;
    await until(async () => ((await getJson(`${instances[0]!.url}/entities/e0`)).success_count >= before + 3 ? true : undefined), 'checks again');
    await allOk();
    for (const instance of instances) await stop(instance);
    assert.deepEqual(fake.delivered().map((r) => r.params.text), []);
  });
});
