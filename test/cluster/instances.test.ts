// Several real `pulsemap serve` processes on one real PostgreSQL: the entities are split among the
// live instances, a killed one's share is taken over within the lease, and an instance cut off
// from the database stands down by itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../store/postgres-db.ts';
import type { TestDatabase } from '../store/postgres-db.ts';
import { startRelay } from '../helpers/relay.ts';
import type { Relay } from '../helpers/relay.ts';
import { getJson, ownChecks, startInstance, stop, until } from './instances.ts';
import { launchChromium } from '../helpers/browser.ts';
import type { Instance } from './instances.ts';

const LEASE = 12;

/** Counts hits per path: every entity checks its own path. */
async function startTargets() {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** 4 groups of 3, 4 trees of a root and 2 dependents, 276 loose entities: 300 in all. */
function entitiesYaml(base: string): { yaml: string; names: string[] } {
  const names: string[] = [];
  const lines: string[] = [];
  const add = (name: string, extra = '', interval = 1) => {
    names.push(name);
    lines.push(`  ${name}: { type: api, url: "${base}/${name}", interval: ${interval}${extra} }`);
  };
  for (let g = 0; g < 4; g++) for (let i = 0; i < 3; i++) add(`g${g}_${i}`, `, group: grp${g}`);
  for (let t = 0; t < 4; t++) {
    add(`root${t}`);
    for (let i = 0; i < 2; i++) add(`t${t}_${i}`, `, dependencies: [root${t}]`);
  }
  // 300 entities in all, as a small estate has: the rest stand alone, on a 2 s interval.
  for (let i = 0; i < 276; i++) add(`solo${i}`, '', 2);
  return { yaml: `cluster: { name: test, lease: ${LEASE} }\nentities:\n${lines.join('\n')}\n`, names };
}

/** Owner of each entity by who ran checks of it between two readings. */
async function checkersBetween(instances: readonly Instance[], settle: () => Promise<void>): Promise<Map<string, string[]>> {
  const before = await Promise.all(instances.map(ownChecks));
  await settle();
  const afterwards = await Promise.all(instances.map(ownChecks));
  const out = new Map<string, string[]>();
  instances.forEach((instance, i) => {
    for (const [name, count] of afterwards[i]!) {
      if (count > (before[i]!.get(name) ?? 0)) out.set(name, [...(out.get(name) ?? []), instance.id]);
    }
  });
  return out;
}

/** Waits until every entity had `n` more checks in total (by anyone) than now. */
async function everyEntityChecked(instances: readonly Instance[], names: readonly string[], n: number): Promise<void> {
  const total = async () => {
    const sums = new Map<string, number>();
    for (const counts of await Promise.all(instances.map(ownChecks))) for (const [name, c] of counts) sums.set(name, (sums.get(name) ?? 0) + c);
    return sums;
  };
  const start = await total();
  await until(async () => {
    const now = await total();
    return names.every((name) => (now.get(name) ?? 0) >= (start.get(name) ?? 0) + n) ? true : undefined;
  }, `${n} more checks of every entity`, 90_000);
}

describe('several instances on one PostgreSQL', () => {
  let db: TestDatabase;
  let dir: string;
  let targets: Awaited<ReturnType<typeof startTargets>>;
  let relay: Relay;
  let url: string;
  let config: string;
  let names: string[];
  const running: Instance[] = [];

  const start = async (id: string, store = url) => {
    const instance = await startInstance({ id, config, store, data: path.join(dir, id) });
    running.push(instance);
    return instance;
  };

  before(async () => {
    db = await createTestDatabase();
    url = await db.freshSchema();
    relay = await startRelay(new URL(url));
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-cluster-'));
    targets = await startTargets();
    const built = entitiesYaml(targets.base);
    names = built.names;
    config = path.join(dir, 'entities.yaml');
    writeFileSync(config, built.yaml);
  });

  after(async () => {
    for (const instance of running) {
      instance.child.kill('SIGKILL');
      await instance.exited;
    }
    await targets.close();
    await relay.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('splits the entities among three instances: each checked by exactly one, every instance serves all', async () => {
    const [a, b, c] = [await start('a'), await start('b'), await start('c')];
    // Converged: every instance sees three live members and the same split, covering all entities.
    await until(async () => {
      const views = await Promise.all([a, b, c].map((i) => getJson(`${i.url}/cluster`)));
      const ok = views.every((v) => v.instances.filter((m: any) => m.alive).length === 3
        && v.instances.reduce((n: number, m: any) => n + m.entities, 0) === names.length
        && JSON.stringify(v.instances.map((m: any) => m.entities)) === JSON.stringify(views[0].instances.map((m: any) => m.entities)));
      return ok ? views : undefined;
    }, 'three instances agreeing on the split');
    // Checks still in flight from before the split have ended once every entity was checked again.
    await everyEntityChecked([a, b, c], names, 1);
    const checkers = await checkersBetween([a, b, c], () => everyEntityChecked([a, b, c], names, 2));
    for (const name of names) assert.equal(checkers.get(name)?.length, 1, `${name} checked by ${checkers.get(name)?.join(', ')}`);
    const view = await getJson(`${a.url}/cluster`);
    for (const member of view.instances) {
      const owned = names.filter((n) => checkers.get(n)?.[0] === member.id).length;
      assert.equal(member.entities, owned, `/cluster counts ${member.id}'s entities as it checks them`);
    }
    // Entities that share a group or a tree stay on one instance.
    for (const prefix of ['g0_', 'g1_', 'g2_', 'g3_']) {
      assert.equal(new Set(names.filter((n) => n.startsWith(prefix)).map((n) => checkers.get(n)![0])).size, 1, prefix);
    }
    for (let t = 0; t < 4; t++) {
      assert.equal(new Set([`root${t}`, `t${t}_0`, `t${t}_1`].map((n) => checkers.get(n)![0])).size, 1, `tree ${t}`);
    }
    // Each instance serves every entity with the counts the others write.
    await until(async () => {
      const docs = await Promise.all([a, b, c].map((i) => getJson(`${i.url}/entities`)));
      return docs.every((list) => list.length === names.length && list.every((d: any) => d.success_count > 0 && d.status === 'ok')) ? true : undefined;
    }, 'every instance showing every entity checked');
    const health = await getJson(`${b.url}/health`);
    assert.equal(health.status, 'ok');
    assert.equal(health.cluster.self, 'b');
    assert.equal(health.cluster.config_mismatch, false);
    assert.ok(['a', 'b', 'c'].includes(health.cluster.leader));
  });

  it('takes over a SIGKILLed instance\'s entities within the lease, and none is then checked twice', async () => {
    const [a, b, c] = running;
    const before = await checkersBetween([a!, b!, c!], () => everyEntityChecked([a!, b!, c!], names, 1));
    const theirs = names.filter((n) => before.get(n)?.[0] === 'b');
    assert.ok(theirs.length > 0, 'b had entities');
    const killedAt = Date.now();
    b!.child.kill('SIGKILL');
    await b!.exited;
    await until(async () => {
      const view = await getJson(`${a!.url}/cluster`);
      const alive = view.instances.filter((m: any) => m.alive).map((m: any) => m.id);
      return alive.length === 2 && !alive.includes('b') ? true : undefined;
    }, 'b counted gone');
    const takeover = Date.now() - killedAt;
    await everyEntityChecked([a!, c!], names, 1);
    const checkers = await checkersBetween([a!, c!], () => everyEntityChecked([a!, c!], names, 2));
    for (const name of names) assert.equal(checkers.get(name)?.length, 1, `${name} checked by ${checkers.get(name)?.join(', ')}`);
    console.log(`# b's ${theirs.length} entities: b counted gone ${takeover} ms after SIGKILL (lease ${LEASE} s)`);
  });

  it('an instance cut off from PostgreSQL stands down by itself, says so in /health, and the others take over', async () => {
    const [a, , c] = running;
    const d = await start('d', relay.url(url));
    await until(async () => {
      const view = await getJson(`${a!.url}/cluster`);
      const member = view.instances.find((m: any) => m.id === 'd');
      return member?.alive && member.entities > 0 ? true : undefined;
    }, 'd joined with entities');
    await everyEntityChecked([a!, c!, d], names, 1);
    relay.partition();
    const health = await until(async () => {
      // 503 first with "degraded" (its store is cut off too), then "fenced" once its lease runs out.
      const res = await fetch(`${d.url}/health`);
      const body = res.status === 503 ? await res.json() : undefined;
      return body?.status === 'fenced' ? body : undefined;
    }, 'd standing down');
    assert.equal(health.status, 'fenced');
    assert.match(health.cluster.fenced.reason, /lease not renewed/);
    await until(async () => {
      const view = await getJson(`${a!.url}/cluster`);
      return view.instances.find((m: any) => m.id === 'd')?.alive === false ? true : undefined;
    }, 'd counted gone');
    // d checks nothing while it stands down; a and c check everything.
    const checkers = await checkersBetween([a!, c!, d], () => everyEntityChecked([a!, c!], names, 2));
    for (const name of names) {
      assert.equal(checkers.get(name)?.length, 1, `${name} checked by ${checkers.get(name)?.join(', ')}`);
      assert.notEqual(checkers.get(name)![0], 'd');
    }
    relay.heal();
    await until(async () => ((await fetch(`${d.url}/health`)).status === 200 ? true : undefined), 'd back at work');
  });

  it('reports instances running another entities.yaml on /cluster, /health, /metrics and the page', async () => {
    const [a] = running;
    const other = path.join(dir, 'other.yaml');
    writeFileSync(other, `# edited on one machine only\n${readFileSync(config, 'utf8')}`);
    const e = await startInstance({ id: 'e', config: other, store: url, data: path.join(dir, 'e') });
    running.push(e);
    const view = await until(async () => {
      const v = await getJson(`${a!.url}/cluster`);
      return v.instances.find((m: any) => m.id === 'e')?.alive ? v : undefined;
    }, 'e joined');
    assert.equal(view.config_mismatch, true);
    const hashes = new Set(view.instances.filter((m: any) => m.alive).map((m: any) => m.config_hash));
    assert.equal(hashes.size, 2);
    assert.equal((await getJson(`${e.url}/health`)).cluster.config_mismatch, true);
    assert.match(await (await fetch(`${a!.url}/metrics`)).text(), /^pulsemap_cluster_config_mismatch 1$/m);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(a!.url);
      await page.waitForFunction(() => !document.getElementById('cluster-banner')!.hidden, null, { timeout: 30_000 });
      assert.match(await page.textContent('#cluster-banner') ?? '', /different entities\.yaml files .*e: [0-9a-f]{16}/);
      assert.match(await page.textContent('#cluster') ?? '', /\d instances · alerts: [a-e]/);
    } finally {
      await browser.close();
    }
    await stop(e);
    await until(async () => ((await getJson(`${a!.url}/cluster`)).config_mismatch === false ? true : undefined), 'no mismatch once e stopped');
  });

  it('refuses to join without the PostgreSQL store', async () => {
    await assert.rejects(startInstance({ id: 'x', config, store: '', data: path.join(dir, 'x') }), (err: Error) => {
      assert.match(err.message, /exited with 2/);
      assert.match(err.message, /cluster 'test' needs the PostgreSQL store/);
      return true;
    });
  });
});
