import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryError } from '../../src/alerts/alert.ts';
import type { Alert, AlertItem } from '../../src/alerts/alert.ts';
import { createWebhookChannel, retryAfterMs } from '../../src/alerts/webhook.ts';
import { closedPort } from '../helpers/pg.ts';
import { startReceiver } from './helpers.ts';
import type { Receiver } from './helpers.ts';

let receiver: Receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const item = (over: Partial<AlertItem>): AlertItem => ({
  event: 'down', entity: 'db', status: 'error', message: 'refused', impacted: ['api', 'web'], at: Date.UTC(2026, 0, 2, 3, 4, 5),
  since: Date.UTC(2026, 0, 2, 3, 0, 0), days: null, url: 'https://status.example.com#db', key: 'db:down:1', ...over,
});
const signal = () => new AbortController().signal;

test('one JSON document per event, with the configured headers', async () => {
  receiver.requests.length = 0;
  const channel = createWebhookChannel({ url: receiver.url, headers: { 'X-Pulsemap-Secret': 's3cr3t-value', Authorization: 'Bearer abc123' } });
  const alert: Alert = { key: 'batch:1', items: [item({}), item({ event: 'recovered', entity: 'api', status: 'ok', impacted: [], key: 'api:recovered:2' })] };
  const envelopes = channel.envelopes(alert);
  assert.deepEqual(envelopes.map((e) => e.key), ['db:down:1:webhook', 'api:recovered:2:webhook']);
  for (const e of envelopes) await channel.send(e.payload, signal());
  assert.equal(receiver.requests.length, 2);
  const [first, second] = receiver.requests;
  assert.equal(first!.headers['content-type'], 'application/json');
  assert.equal(first!.headers['x-pulsemap-secret'], 's3cr3t-value');
  assert.equal(first!.headers.authorization, 'Bearer abc123');
  assert.deepEqual(JSON.parse(first!.body), {
    event: 'down', entity: 'db', status: 'error', message: 'refused', impacted: ['api', 'web'],
    at: '2026-01-02T03:04:05.000Z', since: '2026-01-02T03:00:00.000Z', url: 'https://status.example.com#db',
    incident: 'db@2026-01-02T03:00:00.000Z',
    text: '🔴 db is down\nrefused\nImpacted: api, web\nSince 2026-01-02 03:00 UTC\nhttps://status.example.com#db',
  });
  assert.equal(JSON.parse(second!.body).event, 'recovered');
});

test('failures: status, Retry-After, refused, hanging', async (t) => {
  const channel = createWebhookChannel({ url: receiver.url, headers: {} }, { timeoutMs: 300 });
  const payload = channel.envelopes({ key: 'k', items: [item({})] })[0]!.payload;
  await t.test('HTTP 500', async () => {
    receiver.status = 500;
    try {
      await assert.rejects(channel.send(payload, signal()), (err: unknown) =>
        err instanceof DeliveryError && err.message === 'webhook: HTTP 500' && err.retryAfterMs === null);
    } finally {
      receiver.status = 204;
    }
  });
  await t.test('429 with Retry-After', async () => {
    const server = http.createServer((_req, res) => { res.writeHead(429, { 'retry-after': '7' }); res.end('slow down'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await assert.rejects(createWebhookChannel({ url, headers: {} }).send(payload, signal()), (err: unknown) =>
        err instanceof DeliveryError && err.retryAfterMs === 7000);
    } finally {
      server.close();
    }
  });
  await t.test('connection refused', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hooks/T000/B000/secretpath`;
    await assert.rejects(createWebhookChannel({ url, headers: {} }).send(payload, signal()), (err: unknown) =>
      err instanceof DeliveryError && /ECONNREFUSED/.test(err.message) && !err.message.includes('secretpath'));
  });
  await t.test('no answer', async () => {
    const server = http.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await assert.rejects(createWebhookChannel({ url, headers: {} }, { timeoutMs: 200 }).send(payload, signal()), DeliveryError);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

test('Retry-After in seconds or as a date', () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs(new Date(now + 30_000).toUTCString(), now), 30_000);
  assert.equal(retryAfterMs('soon', now), null);
  assert.equal(retryAfterMs(undefined, now), null);
});
