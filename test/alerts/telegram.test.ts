// The real node-telegram-bot-api client against the fake Bot API server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError } from '../../src/alerts/alert.ts';
import type { Alert } from '../../src/alerts/alert.ts';
import { createTelegramChannel } from '../../src/alerts/telegram.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { TOKEN, telegramConfig } from './helpers.ts';

let fake: FakeTelegram;
before(async () => { fake = await startFakeTelegram(); });
after(() => fake.close());

const alert: Alert = {
  key: 'db:down:1',
  items: [{
    event: 'down', entity: 'db', status: 'error', message: 'refused <x>', impacted: ['api'], at: 0, since: 0,
    days: null, url: null, key: 'db:down:1',
  }],
};
const signal = () => new AbortController().signal;

async function failure(promise: Promise<void>): Promise<DeliveryError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof DeliveryError, `expected a DeliveryError, got ${String(err)}`);
  assert.ok(!err.message.includes(TOKEN) && !err.message.includes('AAE-secret'), `token leaked: ${err.message}`);
  assert.ok(!String(err.stack).includes(TOKEN), 'token leaked into the stack');
  return err;
}

test('sends HTML with chat, topic and silence from the configuration, without retries of its own', async () => {
  fake.requests.length = 0;
  const channel = createTelegramChannel(telegramConfig(fake.apiRoot, { thread_id: 12, silent: true }));
  const [envelope] = channel.envelopes(alert);
  assert.equal(envelope!.key, 'db:down:1:telegram');
  await channel.send(envelope!.payload, signal());
  assert.equal(fake.requests.length, 1);
  const r = fake.requests[0]!;
  assert.equal(r.method, 'sendMessage');
  assert.equal(r.token, TOKEN);
  assert.deepEqual(r.params, {
    chat_id: '-1001234567890',
    text: '🔴 <b>db</b> is down\nrefused &lt;x&gt;\nImpacted: api\nSince 1970-01-01 00:00 UTC',
    parse_mode: 'HTML',
    message_thread_id: '12',
    disable_notification: 'true',
    link_preview_options: '{"is_disabled":true}',
  });
});

test('no topic and sound by default', async () => {
  fake.requests.length = 0;
  const channel = createTelegramChannel(telegramConfig(fake.apiRoot));
  await channel.send(channel.envelopes(alert)[0]!.payload, signal());
  assert.equal(fake.requests[0]!.params.message_thread_id, undefined);
  assert.equal(fake.requests[0]!.params.disable_notification, 'false');
});

test('failures become DeliveryErrors: one request each, retry_after honoured, no token anywhere', async (t) => {
  const channel = createTelegramChannel(telegramConfig(fake.apiRoot), { timeoutMs: 300 });
  const payload = channel.envelopes(alert)[0]!.payload;
  const cases = [
    { name: '429', answer: { status: 429, retry_after: 7 } as const, retryAfterMs: 7000, permanent: false, text: /429/ },
    { name: '500', answer: { status: 500 } as const, retryAfterMs: null, permanent: false, text: /500|Server error/ },
    { name: '400 chat not found (fixable by configuration: retried)', answer: { status: 400, description: 'Bad Request: chat not found' } as const, retryAfterMs: null, permanent: false, text: /chat not found/ },
    { name: '400 the text itself (never fixable: dropped)', answer: { status: 400, description: "Bad Request: can't parse entities" } as const, retryAfterMs: null, permanent: true, text: /parse entities/ },
    { name: '401 bad token', answer: { status: 401, description: 'Unauthorized' } as const, retryAfterMs: null, permanent: false, text: /401/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      fake.requests.length = 0;
      fake.queue(c.answer);
      const err = await failure(channel.send(payload, signal()));
      assert.equal(fake.requests.length, 1, 'the library must not retry on its own');
      assert.equal(err.retryAfterMs, c.retryAfterMs);
      assert.equal(err.permanent, c.permanent);
      assert.match(err.message, c.text);
    });
  }
  await t.test('a hanging server times out', async () => {
    fake.queue('hang');
    const err = await failure(channel.send(payload, signal()));
    assert.match(err.message, /timed out/i);
  });
  await t.test('a refused connection', async () => {
    await fake.refuse();
    try {
      const err = await failure(channel.send(payload, signal()));
      assert.match(err.message, /ECONNREFUSED|fetch failed/);
    } finally {
      await fake.accept();
    }
  });
});

test('the caller can abandon a send', async () => {
  fake.queue('hang');
  const channel = createTelegramChannel(telegramConfig(fake.apiRoot));
  const controller = new AbortController();
  const sending = channel.send(channel.envelopes(alert)[0]!.payload, controller.signal);
  await fake.waitFor(() => fake.requests.at(-1)?.answer === 'hang', 'the hanging request');
  controller.abort(new Error('stop'));
  await assert.rejects(sending);
});
