// Probes end to end: a real `pulsemap serve` on PostgreSQL and two real `pulsemap probe`
// processes make three sites (local, fra, nyc). Each site reaches the target through its own TCP
// proxy (the entity's URL is `${SHOP_URL}`, which each process sets to its own proxy), so cutting
// a proxy makes the target unreachable from that site only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startFakeTelegram } from '../alerts/fake-telegram.ts';
import type { FakeTelegram } from '../alerts/fake-telegram.ts';
import { TOKEN as BOT_TOKEN } from '../alerts/helpers.ts';
import { getJson, startInstance, stop, until } from '../cluster/instances.ts';
import type { Instance } from '../cluster/instances.ts';
import { startTarget } from '../helpers/http.ts';
import { parsePrometheus, value } from '../helpers/prometheus.ts';
import type { Target } from '../helpers/http.ts';
import { startRelay } from '../helpers/relay.ts';
import type { Relay } from '../helpers/relay.ts';
import { createTestDatabase } from '../store/postgres-db.ts';
import type { TestDatabase } from '../store/postgres-db.ts';

const root = path.resolve(import.meta.dirname, '../..');
const TOKENS = { fra: 'fra-probe-token-7d41c0b9e2a8', nyc: 'nyc-probe-token-19fe03a6c5d7' } as const;
type Site = 'local' | 'fra' | 'nyc';

interface ProbeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly log: string[];
}

function startProbeProcess(server: string, site: string, token: string, shopUrl: string): ProbeProcess {
  const child = spawn(process.execPath, [path.join(root, 'src/cli.ts'), 'probe', '--server', server, '--site', site], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info', PULSEMAP_PROBE_TOKEN: token, SHOP_URL: shopUrl },
  });
  const log: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => log.push(line));
  child.stderr!.on('data', (d) => log.push(String(d)));
  return { child, log, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

describe('two probes and the server as three sites', () => {
  let db: TestDatabase;
  let dir: string;
  let target: Target;
  let telegram: FakeTelegram;
  let server: Instance;
  const relays = {} as Record<Site, Relay>;
  /** Each probe's path to the server, which a test can cut. */
  const links = {} as Record<'fra' | 'nyc', Relay>;
  const probes = {} as Record<'fra' | 'nyc', ProbeProcess>;

  const shop = () => getJson(`${server.url}/entities/shop`);
  /** Waits until the entity's document satisfies `ok`; returns it. */
  const shopUntil = (what: string, ok: (doc: any) => boolean) => until(async () => {
    const doc = await shop();
    return ok(doc) ? doc : undefined;
  }, what, 90_000);
  const allSitesOk = (doc: any) => doc.status === 'ok' && /ok at 3 of 3 sites/.test(doc.message)
    && (['local', 'fra', 'nyc'] as const).every((s) => doc.sites?.[s]?.ok === true && doc.sites[s].fresh === true);
  const alertsAboutShop = () => telegram.delivered().filter((r) => r.params.text?.includes('shop'));
  const about = (re: RegExp) => telegram.delivered().filter((r) => re.test(r.params.text ?? ''));
  const online = async (site: string) => (await getJson(`${server.url}/health`)).probes.find((p: any) => p.site === site)?.online;
  const accepted = async (site: string) => value(parsePrometheus(await (await fetch(`${server.url}/metrics`)).text()), 'pulsemap_probe_results_total', { site, outcome: 'accepted' });
  const rejected = async (site: string) => value(parsePrometheus(await (await fetch(`${server.url}/metrics`)).text()), 'pulsemap_probe_results_total', { site, outcome: 'rejected' });

  before(async () => {
    db = await createTestDatabase();
    const store = await db.freshSchema();
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-probes-'));
    target = await startTarget();
    telegram = await startFakeTelegram();
    for (const site of ['local', 'fra', 'nyc'] as const) relays[site] = await startRelay(new URL(target.url));
    const config = path.join(dir, 'entities.yaml');
    writeFileSync(config, `probes:
  fra: { token: "\${PROBE_FRA_TOKEN}", offline_after: 10 }
  nyc: { token: "\${PROBE_NYC_TOKEN}", offline_after: 10 }
notify:
  telegram:
    token: \${TELEGRAM_BOT_TOKEN}
    chat_id: "-100200300"
    api_url: ${telegram.apiRoot}
entities:
  shop:
    type: api
    url: \${SHOP_URL}
    interval: 1
    timeout: 2
    retry_interval: 1
    failure_threshold: 2
    locations: [local, fra, nyc]
    quorum: 2
`);
    server = await startInstance({
      id: 'server', config, store, data: path.join(dir, 'data'),
      env: { SHOP_URL: relays.local.url(target.url), PROBE_FRA_TOKEN: TOKENS.fra, PROBE_NYC_TOKEN: TOKENS.nyc, TELEGRAM_BOT_TOKEN: BOT_TOKEN },
    });
    for (const site of ['fra', 'nyc'] as const) {
      links[site] = await startRelay(new URL(server.url));
      probes[site] = startProbeProcess(links[site].url(server.url), site, TOKENS[site], relays[site].url(target.url));
    }
  });

  after(async () => {
    for (const p of Object.values(probes)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    if (server) await stop(server);
    for (const relay of [...Object.values(relays), ...Object.values(links)]) await relay.close();
    await telegram?.close();
    await target?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all three sites report: ok, with each site\'s result in the entity document', async () => {
    const doc = await shopUntil('shop ok at every site', allSitesOk);
    assert.deepEqual(Object.keys(doc.sites).sort(), ['fra', 'local', 'nyc']);
    const health = await getJson(`${server.url}/health`);
    assert.deepEqual(health.probes.map((p: any) => [p.site, p.online]).sort(), [['fra', true], ['nyc', true]]);
  });

  it('the target unreachable from one site: degraded, naming that site; no alert', async () => {
    relays.fra.partition();
    const doc = await shopUntil('shop degraded', (d) => d.status === 'degraded' && d.sites?.fra?.ok === false);
    assert.match(doc.message, /^1 of 3 sites failing: fra /);
    assert.equal(doc.sites.nyc.ok, true);
    assert.equal(doc.sites.local.ok, true);
    assert.equal(alertsAboutShop().length, 0);
  });

  it('unreachable from two sites: error, announced once', async () => {
    relays.nyc.partition();
    const doc = await shopUntil('shop in error', (d) => d.status === 'error');
    assert.match(doc.message, /2 of 3 sites failing/);
    await telegram.waitFor(() => alertsAboutShop().length >= 1, 'the alert about shop', 60_000);
    // Stays in error for a few more rounds of checks; still one message.
    const before = await shop();
    await until(async () => (Date.parse((await shop()).lastcheck) >= Date.parse(before.lastcheck) + 3000 ? true : undefined), 'three more seconds of checks');
    assert.equal((await shop()).status, 'error');
    assert.equal(alertsAboutShop().length, 1);
    relays.fra.heal();
    relays.nyc.heal();
    await shopUntil('shop ok again', allSitesOk);
  });

  it('a probe cut off from the server: offline, not down; back, its buffered results are taken with their times', async () => {
    links.fra.partition();
    await until(async () => ((await online('fra')) === false ? true : undefined), 'fra offline', 90_000);
    const during = await shopUntil('shop judged without fra', (d) => /^ok at 2 of 3 sites/.test(d.message));
    assert.equal(during.status, 'ok');
    assert.equal(during.sites.fra.fresh, false);
    await telegram.waitFor(() => about(/probe fra offline/).length > 0, 'the offline alert', 60_000);
    const before = await accepted('fra');
    const rejectedBefore = await rejected('fra');
    // Cut for at least offline_after (10 s) with a 1 s interval: at least 10 results waited.
    links.fra.heal();
    await until(async () => ((await online('fra')) === true ? true : undefined), 'fra online again', 90_000);
    await until(async () => (probes.fra.log.some((l) => /buffered results sent/.test(l)) ? true : undefined), 'the probe\'s backlog sent');
    assert.ok((await accepted('fra')) - before >= 10, 'the buffered results were accepted');
    assert.equal(await rejected('fra'), rejectedBefore, 'none rejected: their times were kept and are in range');
    const drained = JSON.parse(probes.fra.log.find((l) => /buffered results sent/.test(l))!);
    assert.equal(drained.dropped, 0);
    assert.equal(probes.fra.log.filter((l) => /buffering results/.test(l)).length, 1);
    await shopUntil('shop ok at all three sites again', allSitesOk);
    await telegram.waitFor(() => about(/probe fra is back/).length > 0, 'the back alert', 60_000);
    assert.equal(about(/probe fra offline/).length, 1);
  });

  it('a probe killed: shown offline, and its site counts as unknown, not down', async () => {
    probes.nyc.child.kill('SIGKILL');
    await probes.nyc.exited;
    const health = await until(async () => {
      const h = await getJson(`${server.url}/health`);
      return h.probes.find((p: any) => p.site === 'nyc')?.online === false ? h : undefined;
    }, 'nyc offline', 90_000);
    assert.equal(health.probes.find((p: any) => p.site === 'fra').online, true);
    // nyc's last result is stale by now (offline_after 10 s > 2 × interval + timeout): the two
    // remaining sites decide, and nyc is neither failing nor passing.
    const doc = await shopUntil('shop judged by local and fra', (d) => /^ok at 2 of 3 sites/.test(d.message));
    assert.equal(doc.status, 'ok', JSON.stringify(doc));
    assert.equal(doc.sites.nyc.fresh, false);
    // One of the two remaining sites failing: degraded, not error (nyc is not counted as failing).
    relays.fra.partition();
    const degraded = await shopUntil('shop degraded by fra alone', (d) => d.status === 'degraded' && d.sites?.fra?.ok === false);
    assert.match(degraded.message, /^1 of 3 sites failing: fra /);
    assert.doesNotMatch(degraded.message, /nyc/);
    relays.fra.heal();
    await shopUntil('shop ok with fra back', (d) => d.status === 'ok' && /^ok at 2 of 3 sites/.test(d.message) && d.sites?.fra?.ok === true);
    await telegram.waitFor(() => about(/probe nyc offline/).length > 0, 'the offline alert', 60_000);

    // Back: announced once too, and nyc counts again.
    probes.nyc = startProbeProcess(links.nyc.url(server.url), 'nyc', TOKENS.nyc, relays.nyc.url(target.url));
    await shopUntil('shop ok at all three sites again', allSitesOk);
    await telegram.waitFor(() => about(/probe nyc is back/).length > 0, 'the back alert', 60_000);
    assert.equal(about(/probe nyc offline/).length, 1);
    assert.equal(about(/probe nyc is back/).length, 1);
    assert.equal(about(/probe fra offline/).length, 1, 'fra was announced for its own cut only');
  });

  it('a bad token: 401 with nothing learned, and a probe started with it exits 1', async () => {
    const answers = [];
    for (const authorization of [undefined, 'Bearer not-a-token-of-any-site', `Bearer ${TOKENS.fra}x`, `Basic ${TOKENS.fra}`]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const get = await fetch(`${server.url}/api/probe/v1/assignments`, { headers });
      const post = await fetch(`${server.url}/api/probe/v1/results`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ results: [{ entity: 'shop', at: new Date().toISOString(), ok: false, latency_ms: null, message: 'forged', extra: {} }] }),
      });
      answers.push([get.status, await get.text(), post.status, await post.text()]);
    }
    for (const answer of answers) assert.deepEqual(answer, [401, '{"error":"unauthorized"}', 401, '{"error":"unauthorized"}']);
    // The forged result was not taken: it shows nowhere.
    assert.ok(!JSON.stringify(await shop()).includes('forged'));

    const bad = startProbeProcess(server.url, 'fra', 'wrong-token-for-fra-0000', relays.fra.url(target.url));
    assert.equal(await bad.exited, 1);
    assert.ok(bad.log.some((l) => /refused the token \(401\)/.test(l)));
    assert.ok(!bad.log.join('\n').includes('wrong-token-for-fra-0000'));
  });
});
