// The probe client against a stand-in server that speaks the exact wire protocol, on a manual
// clock: checks and flushes happen when the test moves time, the network is real loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startProbe } from '../../src/probe/probe.ts';
import type { Probe, ProbeOptions } from '../../src/probe/probe.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { startTarget } from '../helpers/http.ts';
import { eventually } from '../helpers/poll.ts';
import { startRelay } from '../helpers/relay.ts';
import { startFakeServer } from './fake-server.ts';
import type { FakeAssignment } from './fake-server.ts';

const TOKEN = 'fra-token-0123456789';

function captureLogs() {
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info', base: undefined, formatters: { level: (label) => ({ level: label }) } }, destination);
  return { logger, lines, count: (msg: RegExp) => lines.filter((l) => msg.test(l.msg)).length };
}

const api = (name: string, variable: string, interval: number, extra: Record<string, unknown> = {}): FakeAssignment =>
  ({ name, type: 'api', interval, timeout: 5, check: { type: 'api', url: `\${${variable}}`, ...extra } });

/** Waits (real time, on the condition) for work the network finishes on its own. */
const until = (what: string, ok: () => boolean) => eventually(async () => ok(), (v) => v, what, 20_000);

async function start(clock: FakeClock, options: Partial<ProbeOptions> & Pick<ProbeOptions, 'server' | 'env' | 'logger'>): Promise<Probe> {
  const probe = await startProbe({ site: 'fra', token: TOKEN, clock, random: () => 0, ...options });
  assert.ok(probe);
  return probe;
}

test('assignments: pulled with the ETag (304 when unchanged); a change starts only what changed', async (t) => {
  const [targetA, targetB, fake] = await Promise.all([startTarget(), startTarget(), startFakeServer('fra', TOKEN)]);
  const clock = fakeClock();
  const t0 = clock.now();
  const logs = captureLogs();
  fake.assign([api('a', 'A_URL', 60), api('b', 'B_URL', 60)].slice(0, 1));
  const probe = await start(clock, { server: fake.url, env: { A_URL: targetA.url, B_URL: targetB.url }, logger: logs.logger, pollMs: 1000, flushMs: 500 });
  t.after(async () => { await probe.close(); await Promise.all([targetA.close(), targetB.close(), fake.close()]); });
  assert.deepEqual(fake.polls, [{ ifNoneMatch: null, status: 200 }]);

  await clock.advance(0);
  await until('a checked', () => targetA.requests === 1 && probe.stats().buffered === 1);
  await clock.advance(500);
  await until('the result sent', () => fake.results.length === 1);
  const first = fake.results[0]!;
  assert.deepEqual(Object.keys(first).sort(), ['at', 'entity', 'extra', 'latency_ms', 'message', 'ok']);
  assert.deepEqual({ entity: first.entity, at: first.at, ok: first.ok, extra: first.extra }, { entity: 'a', at: new Date(t0).toISOString(), ok: true, extra: { http_status: 200 } });
  assert.match(first.message, /^200 OK in \d+ ms$/);
  assert.equal(typeof first.latency_ms, 'number');

  await clock.advance(500);
  await until('a second poll', () => fake.polls.length === 2);
  assert.deepEqual(fake.polls[1], { ifNoneMatch: '"v2"', status: 304 });

  // b is added; a is unchanged and keeps its timer (with no jitter, a restarted a would run at once).
  fake.assign([api('a', 'A_URL', 60), api('b', 'B_URL', 60)]);
  await clock.advance(1000);
  await until('the new assignments', () => probe.entities().length === 2);
  assert.deepEqual(fake.polls[2], { ifNoneMatch: '"v2"', status: 200 });
  await clock.advance(0);
  await until('b checked', () => targetB.requests === 1);
  assert.equal(targetA.requests, 1);

  // a's definition changes (its method): it restarts; b is withdrawn and stops.
  fake.assign([api('a', 'A_URL', 60, { method: 'HEAD' })]);
  await clock.advance(1000);
  await until('the changed assignments', () => probe.entities().join() === 'a');
  await clock.advance(0);
  await until('a checked again', () => targetA.requests === 2);
  const applied = logs.lines.filter((l) => l.msg === 'assignments applied').map((l) => [l.added, l.changed, l.removed]);
  assert.deepEqual(applied, [[1, 0, 0], [1, 0, 0], [0, 1, 1]]);
  await clock.advance(120_000);
  await until('a on its interval', () => targetA.requests >= 3);
  assert.equal(targetB.requests, 1);
});

const CUTS = [
  { name: 'the TCP path cut (connections refused)', via: 'relay' },
  { name: 'the server failing (HTTP 503)', via: 'status' },
] as const;

for (const cut of CUTS) {
  test(`${cut.name}: results wait in the bounded buffer and go later, oldest first, with their original times`, async (t) => {
    const [target, fake] = await Promise.all([startTarget(), startFakeServer('fra', TOKEN)]);
    const relay = await startRelay(new URL(fake.url));
    const clock = fakeClock();
    const t0 = clock.now();
    const logs = captureLogs();
    // Six entities with a 60 s interval, spread one second apart: checks at seconds 0..5, then none
    // for a minute, so every result's time is known exactly.
    fake.assign([0, 1, 2, 3, 4, 5].map((n) => api(`e${n}`, 'A_URL', 60)));
    const jitter = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    const probe = await start(clock, {
      server: relay.url(fake.url), env: { A_URL: target.url }, logger: logs.logger, random: () => jitter.shift()!,
      pollMs: 3_600_000, flushMs: 500, bufferMax: 3, batchMax: 2, backoffMinMs: 1000, backoffMaxMs: 4000,
    });
    t.after(async () => { await probe.close(); await relay.close(); await Promise.all([target.close(), fake.close()]); });

    await clock.advance(0);
    await until('the first check', () => probe.stats().buffered === 1);
    await clock.advance(500);
    await until('the first result sent', () => fake.results.length === 1);

    if (cut.via === 'relay') relay.partition();
    else fake.failWith = 503;
    for (let k = 1; k <= 5; k++) {
      await clock.advance(k === 1 ? 500 : 1000);
      await until(`check ${k} during the cut`, () => probe.stats().buffered + probe.stats().dropped === k);
      if (k === 1) await until('the failed send', () => logs.count(/buffering/) === 1);
    }
    assert.deepEqual(probe.stats(), { buffered: 3, dropped: 2 });
    assert.equal(fake.results.length, 1);

    if (cut.via === 'relay') relay.heal();
    else fake.failWith = null;
    for (let waited = 0; fake.results.length < 4 && waited < 50_000; waited += 250) await clock.advance(250);
    await until('the backlog sent', () => logs.count(/buffered results sent/) === 1);
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    // The results of seconds 1 and 2 were the oldest when the bound was hit: dropped, and counted.
    assert.deepEqual(fake.results.slice(0, 4).map((r) => r.at), [at(0), at(3), at(4), at(5)]);
    assert.deepEqual(fake.results.map((r) => r.entity), ['e0', 'e3', 'e4', 'e5']);
    assert.equal(target.requests, 6);
    assert.ok(fake.batches.every((n) => n <= 2));
    assert.equal(logs.count(/buffering/), 1);
    assert.equal(logs.lines.find((l) => /buffered results sent/.test(l.msg))?.dropped, 2);
  });
}

test('a token refused after the start: logged once, results kept, sent when the server takes the token again', async (t) => {
  const [target, fake] = await Promise.all([startTarget(), startFakeServer('fra', TOKEN)]);
  const clock = fakeClock();
  const logs = captureLogs();
  fake.assign([api('a', 'A_URL', 1)]);
  const probe = await start(clock, { server: fake.url, env: { A_URL: target.url }, logger: logs.logger, pollMs: 3_600_000, flushMs: 500, unauthorizedRetryMs: 5000 });
  t.after(async () => { await probe.close(); await Promise.all([target.close(), fake.close()]); });
  fake.token = 'rotated-on-the-server';
  for (let k = 0; k < 3; k++) {
    await clock.advance(k === 0 ? 0 : 500);
    await until(`check ${k}`, () => target.requests === k + 1 && probe.stats().buffered === k + 1);
    await clock.advance(500);
    if (k === 0) await until('the refusal', () => logs.count(/refuses the token/) === 1);
  }
  await clock.advance(5000);
  await until('a retry', () => fake.authorizations.length >= 3);
  assert.equal(logs.count(/refuses the token/), 1);
  assert.equal(fake.results.length, 0);
  fake.token = TOKEN;
  for (let waited = 0; fake.results.length < 3 && waited < 60_000; waited += 1000) {
    await clock.advance(1000);
    await until('sending settles', () => true);
  }
  await until('the results sent', () => logs.count(/accepts the token again/) === 1);
  assert.ok(fake.results.length >= 3);
  assert.ok(logs.lines.every((l) => !JSON.stringify(l).includes(TOKEN)), 'the token never in a log line');
  assert.ok(fake.authorizations.every((h) => h === `Bearer ${TOKEN}`));
});

test('retries back off from 1 s, doubling, up to the maximum; the first success sends the backlog', async (t) => {
  const fake = await startFakeServer('fra', TOKEN);
  const clock = fakeClock();
  const t0 = clock.now();
  const logs = captureLogs();
  // A definition the probe cannot build: one failing result at once, no network of its own.
  fake.assign([{ name: 'shop', type: 'api', interval: 3600, timeout: 5, check: { url: '${UNSET_AT_THIS_PROBE}' } }]);
  const probe = await start(clock, { server: fake.url, env: {}, logger: logs.logger, pollMs: 3_600_000, flushMs: 500, backoffMinMs: 1000, backoffMaxMs: 8000 });
  t.after(async () => { await probe.close(); await fake.close(); });
  const posts: number[] = [];
  fake.onRequest = (method) => { if (method === 'POST') posts.push(clock.now() - t0); };
  fake.failWith = 503;
  // Idle = the poll's timer, the entity's timer, the sender's next attempt and the pacer's
  // once-a-second look at the event loop are all set.
  const idle = () => until('the sender idle', () => clock.pendingTimers() === 4);
  await idle();
  for (let waited = 0; waited < 32_000; waited += 100) {
    await clock.advance(100);
    await idle();
  }
  assert.deepEqual(posts, [500, 1500, 3500, 7500, 15_500, 23_500, 31_500]);
  assert.equal(logs.count(/buffering/), 1);
  fake.failWith = null;
  for (let waited = 0; waited < 10_000; waited += 100) {
    await clock.advance(100);
    await idle();
  }
  assert.deepEqual(posts.slice(7), [39_500]);
  assert.equal(fake.results.length, 1);
  assert.match(fake.results[0]!.message, /environment variable UNSET_AT_THIS_PROBE is not set/);
  assert.equal(fake.results[0]!.at, new Date(t0).toISOString());
  assert.equal(logs.count(/buffered results sent/), 1);
});

test('a batch the server refuses as too large is split in halves; a single result it refuses is dropped and logged', async (t) => {
  const fake = await startFakeServer('fra', TOKEN);
  const clock = fakeClock();
  const logs = captureLogs();
  // Four definitions the probe cannot build: four failing results at once, no network of their own.
  fake.assign([0, 1, 2, 3].map((n) => ({ name: `e${n}`, type: 'api', interval: 3600, timeout: 5, check: { url: `\${UNSET_${n}}` } })));
  const probe = await start(clock, { server: fake.url, env: {}, logger: logs.logger, pollMs: 3_600_000, flushMs: 500, batchMax: 4 });
  t.after(async () => { await probe.close(); await fake.close(); });
  fake.maxBatch = 1;
  // Four results make a full batch (batchMax 4): it goes at once, is refused, and is split.
  await clock.advance(0);
  await until('all sent', () => fake.results.length === 4);
  assert.deepEqual(fake.batches, [1, 1, 1, 1]);
  assert.deepEqual(fake.results.map((r) => r.entity).sort(), ['e0', 'e1', 'e2', 'e3']);

  // A definition that cannot be built is reported again every minute at most: four more results.
  fake.maxBatch = 0;
  await clock.advance(60_000);
  await until('four more results handled', () => probe.stats().buffered === 0 && logs.count(/refused a result; dropped/) === 4);
  assert.equal(fake.results.length, 4);
  assert.equal(logs.count(/buffering/), 0, 'a refusal is not an outage');
});
