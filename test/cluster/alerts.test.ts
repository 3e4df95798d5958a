// One alerter across real `pulsemap serve` processes: a failure is announced once across the
// cluster, also when the leader is killed just before it happens or paused past its lease, and a
// state change reaches every instance's /events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../store/postgres-db.ts';
import type { TestDatabase } from '../store/postgres-db.ts';
import { startFakeTelegram } from '../alerts/fake-telegram.ts';
import type { FakeTelegram } from '../alerts/fake-telegram.ts';
import { TOKEN } from '../alerts/helpers.ts';
import { getJson, startInstance, stop, until } from './instances.ts';
import type { Instance } from './instances.ts';

const LEASE = 12;
const API_TOKEN = 'cluster-test-api-token-0123456789';
const CASCADE = ['ledger', 'billing', 'invoices'];

/** Answers 200 per path, or 500 for the paths a test fails; records heartbeat callers. */
async function startTargets() {
  const failing = new Set<string>();
  const heartbeats: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/heartbeat') heartbeats.push(req.headers['user-agent'] ?? '');
    const bad = failing.has(req.url!);
    res.writeHead(bad ? 500 : 200, { 'content-type': 'application/json' });
    res.end(bad ? '{"status":"down"}' : '{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failing,
    heartbeats,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Opens an instance's /events; the result waits for the first `entity` event of `name` with `status`. */
async function openEvents(instance: Instance, signal: AbortSignal): Promise<(name: string, status: string) => Promise<number>> {
  const res = await fetch(`${instance.url}/events`, { signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  return async (name, status) => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('events ended');
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!/^event: entity$/m.test(block)) continue;
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        const docs = [JSON.parse(data)].flat();
        if (docs.some((d: any) => d.name === name && d.status === status)) return Date.now();
      }
    }
  };
}

describe('one alerter among several instances', () => {
  let db: TestDatabase;
  let dir: string;
  let targets: Awaited<ReturnType<typeof startTargets>>;
  let fake: FakeTelegram;
  let url: string;
  let config: string;
  const running = new Map<string, Instance>();

  const start = async (id: string) => {
    const instance = await startInstance({ id, config, store: url, data: path.join(dir, id), env: { TELEGRAM_BOT_TOKEN: TOKEN, API_TOKEN } });
    running.set(id, instance);
    return instance;
  };
  const about = (name: string) => fake.delivered().filter((r) => r.params.text?.includes(name));
  /** The leader all live instances agree on. */
  const leader = (ids: readonly string[]) => until(async () => {
    const views = await Promise.all(ids.map((id) => getJson(`${running.get(id)!.url}/cluster`)));
    const first = views[0].leader;
    return first && ids.includes(first) && views.every((v) => v.leader === first && v.instances.filter((m: any) => m.alive).length === ids.length)
      ? first as string : undefined;
  }, `a leader among ${ids.join(', ')}`);

  before(async () => {
    db = await createTestDatabase();
    url = await db.freshSchema();
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-cluster-alerts-'));
    targets = await startTargets();
    fake = await startFakeTelegram();
    const entities = ['shop', 'cart', 'mail', 'blog', 'wiki', 'chat'].map((name) =>
      `  ${name}: { type: api, url: "${targets.base}/${name}", interval: 1, failure_threshold: 1 }`);
    // A small tree for a cascade: a database and three services that need it.
    entities.push(`  vault: { type: api, url: "${targets.base}/vault", interval: 1, failure_threshold: 1 }`);
    for (const name of CASCADE) entities.push(`  ${name}: { type: api, url: "${targets.base}/${name}", interval: 1, failure_threshold: 1, dependencies: [vault] }`);
    config = path.join(dir, 'entities.yaml');
    writeFileSync(config, `cluster: { name: alerts, lease: ${LEASE} }
heartbeat_url: ${targets.base}/heartbeat
heartbeat_interval: 1
api_token: \${API_TOKEN}
notify:
  telegram:
    token: \${TELEGRAM_BOT_TOKEN}
    chat_id: "-100200300"
    api_url: ${fake.apiRoot}
entities:
${entities.join('\n')}
`);
    await Promise.all(['a', 'b', 'c'].map(start));
  });

  after(async () => {
    for (const instance of running.values()) {
      instance.child.kill('SIGCONT');
      instance.child.kill('SIGKILL');
      await instance.exited;
    }
    await fake.close();
    await targets.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The next `n` heartbeat calls, by User-Agent. */
  const nextHeartbeats = async (n: number) => {
    const from = targets.heartbeats.length;
    await until(async () => (targets.heartbeats.length >= from + n ? true : undefined), `${n} heartbeats`);
    return targets.heartbeats.slice(from, from + n);
  };

  it('has only the leader call the heartbeat URL', async () => {
    const first = await leader(['a', 'b', 'c']);
    assert.deepEqual(await nextHeartbeats(3), Array(3).fill(`pulsemap (${first})`));
  });

  it('carries a state change to every instance\'s /events', async () => {
    await leader(['a', 'b', 'c']);
    await until(async () => ((await getJson(`${running.get('a')!.url}/entities/wiki`)).status === 'ok' ? true : undefined), 'wiki ok');
    const abort = new AbortController();
    try {
      // Every stream is open (its headers arrived) before the change.
      const streams = await Promise.all(['a', 'b', 'c'].map((id) => openEvents(running.get(id)!, abort.signal)));
      const seen = Promise.all(streams.map((next) => next('wiki', 'error')));
      const changedAt = Date.now();
      targets.failing.add('/wiki');
      const times = await seen;
      console.log(`# wiki -> error on /events of a, b, c after ${times.map((t) => t - changedAt).join(', ')} ms (interval 1 s)`);
    } finally {
      abort.abort();
    }
    await fake.waitFor(() => about('wiki').length >= 1, 'the wiki alert', 60_000);
    targets.failing.delete('/wiki');
    await fake.waitFor(() => about('wiki').length >= 2, 'the wiki recovery', 60_000);
  });

  it('a cascade is one message across the cluster: the root, naming what it took down', async () => {
    await leader(['a', 'b', 'c']);
    for (const path of ['/vault', ...CASCADE.map((n) => `/${n}`)]) targets.failing.add(path);
    // The root's message names every dependent, when it goes out or in the edits that complete it.
    const naming = (r: { params: { text?: string } }) => r.params.text?.startsWith('🔴 <b>vault</b> is down') === true;
    await fake.waitFor(() => fake.delivered().some((r) => naming(r) && CASCADE.every((n) => new RegExp(`Impacted:.*\\b${n}\\b`).test(r.params.text!))),
      'the vault message naming ledger, billing and invoices', 60_000);
    for (const path of ['/vault', ...CASCADE.map((n) => `/${n}`)]) targets.failing.delete(path);
    // One outbox sends in order: once the recovery is in, any other message of the cascade is too.
    await fake.waitFor(() => about('vault').some((r) => /back up/.test(r.params.text ?? '')), 'the vault recovery', 60_000);
    const sent = fake.delivered().filter((r) => r.method === 'sendMessage');
    const down = sent.filter((r) => /is down/.test(r.params.text ?? '') && ['vault', ...CASCADE].some((n) => r.params.text!.includes(n)));
    assert.equal(down.length, 1, down.map((r) => r.params.text).join('\n---\n'));
    assert.ok(naming(down[0]!), down[0]!.params.text);
    for (const n of CASCADE) assert.ok(!sent.some((r) => r.params.text?.startsWith(`🔴 <b>${n}</b>`)), `no message of its own for ${n}`);
  });

  it('a failure while the leader is dead is announced by the next leader, which alone takes acknowledgements', async () => {
    const first = await leader(['a', 'b', 'c']);
    const killedAt = Date.now();
    running.get(first)!.child.kill('SIGKILL');
    await running.get(first)!.exited;
    running.delete(first);
    targets.failing.add('/shop');
    await fake.waitFor(() => about('shop').length >= 1, 'the shop alert from the next leader', 60_000);
    console.log(`# leader ${first} SIGKILLed: shop's failure announced ${Date.now() - killedAt} ms later (lease ${LEASE} s)`);
    const next = await leader([...running.keys()]);
    assert.deepEqual(await nextHeartbeats(2), Array(2).fill(`pulsemap (${next})`));
    // Acknowledging goes to the leader, which holds the bookkeeping; another instance says where.
    const ack = (id: string) => fetch(`${running.get(id)!.url}/entities/shop/ack`, {
      method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: '{"comment":"on it"}',
    });
    const follower = [...running.keys()].find((id) => id !== next)!;
    const refused = await ack(follower);
    assert.equal(refused.status, 503);
    assert.match((await refused.json()).error, new RegExp(`leading instance \\(${next}\\)`));
    assert.equal((await ack(next)).status, 200);
  });

  it('a leader killed between sending and recording: the next one sends again (a duplicate, not silence)', async () => {
    const first = await leader([...running.keys()]);
    fake.queue('hang');
    targets.failing.add('/mail');
    // The leader claimed the message and Telegram has it, but the answer never comes back.
    await fake.waitFor(() => fake.requests.some((r) => r.answer === 'hang' && r.params.text?.includes('mail')), 'the mail alert sent', 60_000);
    running.get(first)!.child.kill('SIGKILL');
    await running.get(first)!.exited;
    running.delete(first);
    await fake.waitFor(() => about('mail').length >= 1, 'the mail alert sent again by the next leader', 60_000);
    assert.equal(fake.requests.filter((r) => r.params.text?.includes('mail')).length, 2);
    await start('d');
  });

  it('a leader paused past its lease sends nothing when it resumes; the new one announces once', async () => {
    const survivors = [...running.keys()];
    const paused = await leader(survivors);
    const other = survivors.find((id) => id !== paused)!;
    running.get(paused)!.child.kill('SIGSTOP');
    targets.failing.add('/cart');
    await until(async () => ((await getJson(`${running.get(other)!.url}/cluster`)).leader === other ? true : undefined), `${other} leading`);
    await fake.waitFor(() => about('cart').length >= 1, 'the cart alert from the new leader', 60_000);
    running.get(paused)!.child.kill('SIGCONT');
    await until(async () => {
      const view = await getJson(`${running.get(paused)!.url}/cluster`);
      return view.leader === other && view.fenced === null ? true : undefined;
    }, `${paused} back as a follower`);
    // Both stop cleanly: whatever either still had to say is said before they exit.
    for (const instance of running.values()) await stop(instance);
    running.clear();
    assert.equal(about('cart').length, 1, about('cart').map((r) => r.params.text).join('\n---\n'));
    assert.equal(about('shop').length, 1, about('shop').map((r) => r.params.text).join('\n---\n'));
  });
});
