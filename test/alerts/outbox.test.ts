// The durable outbox with the real Telegram client against the fake Bot API, a real webhook
// receiver and the real SQLite store; time moves only when the test advances the clock.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutbox } from '../../src/alerts/outbox.ts';
import type { Outbox, OutboxOptions } from '../../src/alerts/outbox.ts';
import { createTelegramChannel } from '../../src/alerts/telegram.ts';
import { createWebhookChannel } from '../../src/alerts/webhook.ts';
import type { Channel } from '../../src/alerts/alert.ts';
import type { NewOutboxMessage } from '../../src/store/store.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { diskFullError, faultyStore } from '../helpers/faulty-store.ts';
import { TOKEN, captureLogger, telegramConfig, tempStore, waitUntil, useFakeTelegramAndReceiver } from './helpers.ts';
import type { Receiver, TempStore } from './helpers.ts';

let fake: FakeTelegram;
let receiver: Receiver;

interface Rig {
  readonly clock: FakeClock;
  readonly temp: TempStore;
  readonly outbox: Outbox;
  readonly lines: string[];
  readonly telegram: Channel;
  /** Queues a Telegram message with this text. */
  add(text: string, channel?: string): Promise<void>;
  pendingTimes(): Promise<number[]>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.outbox.close();
    await rig.temp.store.close();
    rig.temp.remove();
  }
});
useFakeTelegramAndReceiver((f, r) => { fake = f; receiver = r; });

async function rig(options: Partial<OutboxOptions> = {}, temp?: TempStore): Promise<Rig> {
  const clock = fakeClock();
  const t = temp ?? await tempStore();
  const { logger, lines } = captureLogger();
  const outbox = createOutbox({ store: t.store, clock, logger, ...options });
  const telegram = createTelegramChannel(telegramConfig(fake.apiRoot), { timeoutMs: 300 });
  outbox.setChannels([telegram]);
  let n = 0;
  const r: Rig = {
    clock, temp: t, outbox, lines, telegram,
    async add(text, channel = 'telegram') {
      n += 1;
      const message: NewOutboxMessage = { channel, key: `${text}:${n}:${channel}`, payload: JSON.stringify({ text }), created_at: clock.now() };
      await outbox.add([message]);
    },
    async pendingTimes() {
      return (await t.store.outboxDue(Number.MAX_SAFE_INTEGER, 100)).map((m) => m.next_attempt_at - clock.now());
    },
  };
  rigs.push(r);
  await outbox.idle();
  return r;
}

const texts = (): string[] => fake.delivered().map((r) => r.params.text!);

test('429 for a while, then ok: every message arrives, in order, once', async () => {
  const told: string[] = [];
  const r = await rig({ onSent: (c) => told.push(`sent ${c}`), onFailed: (c) => told.push(`failed ${c}`) });
  fake.queue({ status: 429, retry_after: 5 }, { status: 429, retry_after: 30 });
  for (const text of ['one', 'two', 'three']) await r.add(text);
  await r.outbox.idle();
  assert.deepEqual(texts(), []);
  assert.deepEqual(await r.pendingTimes(), [5000, 0, 0], 'the head waits retry_after; the others wait behind it');
  await r.clock.advance(4999);
  await r.outbox.idle();
  assert.equal(fake.requests.length, 1, 'not before retry_after');
  await r.clock.advance(1);
  await r.outbox.idle();
  assert.equal(fake.requests.length, 2);
  await r.clock.advance(30_000);
  await r.outbox.idle();
  assert.deepEqual(texts(), ['one', 'two', 'three']);
  assert.equal(fake.requests.length, 5);
  assert.equal(await r.outbox.depth(), 0);
  assert.equal(r.outbox.lastError(), null, 'a delivery clears the channel\'s error');
  assert.deepEqual(told, ['failed telegram', 'failed telegram', 'sent telegram', 'sent telegram', 'sent telegram'], 'metrics hear of every attempt');
  await r.clock.advance(3_600_000);
  await r.outbox.idle();
  assert.equal(fake.requests.length, 5, 'nothing is sent twice');
});

test('exponential backoff capped at 5 minutes; the error is kept for /health without the token', async () => {
  const r = await rig();
  fake.fallback = { status: 500 };
  await r.add('x');
  await r.outbox.idle();
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) {
    const [wait] = await r.pendingTimes();
    delays.push(wait!);
    await r.clock.advance(wait!);
    await r.outbox.idle();
  }
  assert.deepEqual(delays, [5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  const failure = r.outbox.lastError();
  assert.equal(failure?.channel, 'telegram');
  assert.match(failure!.error, /500/);
  assert.ok(r.lines.some((l) => l.includes('alert delivery failed')));
  assert.ok(r.lines.every((l) => !l.includes(TOKEN)), 'no log line contains the token');
});

test('a message failing for 24 hours is dropped with a logged reason, and the next one goes', async () => {
  const r = await rig();
  fake.fallback = { status: 502 };
  await r.add('old');
  await r.outbox.idle();
  await r.clock.advance(24 * 3_600_000 - 60_000);
  await r.outbox.idle();
  await r.add('new');
  const droppedLine = () => r.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'alert dropped');
  for (let i = 0; i < 5 && !droppedLine(); i++) {
    await r.clock.advance(300_000);
    await r.outbox.idle();
  }
  assert.match(droppedLine()?.reason, /undelivered for 24 h: telegram: 502/);
  assert.equal(await r.outbox.depth(), 1);
  fake.fallback = 'ok';
  await r.clock.advance(300_000);
  await r.outbox.idle();
  assert.deepEqual(texts(), ['new']);
  assert.equal(await r.outbox.depth(), 0);
});

test('a message the server can never accept is dropped at once and does not block the queue', async () => {
  const r = await rig();
  fake.queue({ status: 400, description: "Bad Request: can't parse entities: unexpected end tag" });
  await r.add('bad');
  await r.add('good');
  await r.outbox.idle();
  assert.deepEqual(texts(), ['good']);
  assert.ok(r.lines.some((l) => l.includes('alert dropped') && l.includes('rejected')));
});

test('a failing channel holds only its own queue: the webhook keeps delivering', async () => {
  const r = await rig();
  const webhook = createWebhookChannel({ url: receiver.url, headers: {} });
  r.outbox.setChannels([r.telegram, webhook]);
  fake.fallback = 'hang';
  await r.add('stuck');
  await r.add('behind');
  await r.add('{"event":"down"}', 'webhook');
  await r.outbox.idle();
  assert.equal(receiver.requests.length, 1);
  assert.equal(fake.requests.length, 1, 'the message behind the hanging head waits');
  assert.equal(await r.outbox.depth(), 2);
  fake.fallback = 'ok';
  await r.clock.advance(5000);
  await r.outbox.idle();
  assert.deepEqual(texts(), ['stuck', 'behind']);
});

test('a channel that is not configured keeps its messages until it is', async () => {
  const r = await rig();
  r.outbox.setChannels([]);
  await r.add('later');
  await r.outbox.idle();
  assert.equal(fake.requests.length, 0);
  assert.equal(await r.outbox.depth(), 1);
  r.outbox.setChannels([createTelegramChannel(telegramConfig(fake.apiRoot))]);
  await r.outbox.idle();
  assert.deepEqual(texts(), ['later']);
});

test('a changed channel retries its head at once instead of waiting out the backoff', async () => {
  const r = await rig();
  fake.fallback = { status: 400, description: 'Bad Request: chat not found' };
  await r.add('hello');
  await r.clock.advance(5000);
  await r.outbox.idle();
  assert.deepEqual(await r.pendingTimes(), [10_000]);
  fake.fallback = 'ok';
  r.outbox.setChannels([createTelegramChannel(telegramConfig(fake.apiRoot, { chat_id: '42' }))]);
  await r.outbox.idle();
  assert.deepEqual(fake.delivered().map((d) => d.params.chat_id), ['42']);
});

test('the same key is queued once, and queued messages survive a restart', async () => {
  const temp = await tempStore();
  const first = await rig({}, temp);
  await fake.refuse();
  try {
    const m: NewOutboxMessage = { channel: 'telegram', key: 'k:telegram', payload: JSON.stringify({ text: 'kept' }), created_at: first.clock.now() };
    await first.outbox.add([m, m]);
    await first.outbox.add([m]);
    await first.outbox.idle();
    assert.equal(await first.outbox.depth(), 1);
    await first.outbox.close();
  } finally {
    await fake.accept();
  }
  const second = await rig({}, temp);
  await second.clock.advance(5000); // the failed attempt's backoff
  await second.outbox.idle();
  assert.deepEqual(texts(), ['kept']);
});

test('closing lets a send in flight finish, so it is not sent again after the restart', async () => {
  const r = await rig();
  let arrived = 0;
  const slow = http.createServer((_req, res) => {
    arrived += 1;
    setTimeout(() => res.writeHead(204).end(), 100);
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  try {
    r.outbox.setChannels([createWebhookChannel({ url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, headers: {} })]);
    await r.add('{}', 'webhook');
    await waitUntil(() => arrived === 1, 'the request');
    await r.outbox.close();
    assert.equal(await r.outbox.depth(), 0);
  } finally {
    slow.close();
  }
});

test('a sent message the store cannot record is not sent again: recorded later with backoff', async () => {
  const temp = await tempStore();
  const faulty = faultyStore(temp.store);
  const r = await rig({}, { ...temp, store: faulty.store });
  await r.add('once');
  faulty.fail(diskFullError()); // the send is under way; its record will fail
  await r.outbox.idle();
  assert.deepEqual(texts(), ['once']);
  // Two simulated minutes of a store that refuses every write.
  for (let i = 0; i < 120; i++) {
    await r.clock.advance(1000);
    await r.outbox.idle();
  }
  assert.deepEqual(texts(), ['once'], 'sent once, however often the record failed');
  const attempts = faulty.refused.get('outboxSent') ?? 0;
  // The refused record at the send, then retries 5, 15, 35 and 75 s later (the next would be at 155 s).
  assert.equal(attempts, 5, `recording backs off (5, 10, 20, 40 s...): ${attempts} attempts in 120 s`);
  assert.equal(r.lines.filter((l) => l.includes('refused delivery records')).length, 1, 'one log line for the outage');
  assert.equal(await temp.store.outboxDepth(), 1, 'not recorded yet');
  faulty.fail(null);
  await r.clock.advance(300_000);
  await r.outbox.idle();
  assert.equal(await temp.store.outboxDepth(), 0, 'recorded once the store takes writes');
  assert.ok(r.lines.some((l) => l.includes('delivery records written')));
  await r.clock.advance(3_600_000);
  await r.outbox.idle();
  assert.deepEqual(texts(), ['once']);
});

test('a failed send whose retry cannot be recorded still waits out its backoff; the next message keeps its order', async () => {
  const temp = await tempStore();
  const faulty = faultyStore(temp.store);
  const r = await rig({}, { ...temp, store: faulty.store });
  await r.add('first');
  await r.add('second');
  await fake.refuse();
  faulty.fail(diskFullError());
  try {
    await r.outbox.idle();
    await r.clock.advance(4999);
    await r.outbox.idle();
    assert.equal(fake.requests.length, 0);
  } finally {
    await fake.accept();
  }
  await r.clock.advance(1);
  await r.outbox.idle();
  assert.deepEqual(texts(), ['first', 'second'], 'after the kept backoff, in order');
  faulty.fail(null);
  await r.clock.advance(300_000);
  await r.outbox.idle();
  assert.equal(await temp.store.outboxDepth(), 0);
  assert.deepEqual(texts(), ['first', 'second']);
});
