// notify.degraded against a real HTTPS target whose certificate expires in 5 days: degraded and
// back, and the certificate warning once per certificate, not once per check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { apiEntity } from '../helpers/entities.ts';
import { createTestCertificates } from '../helpers/tls.ts';
import type { TestCertificates } from '../helpers/tls.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig } from './helpers.ts';
import { startRig } from './rig.ts';

let fake: FakeTelegram;
let certs: TestCertificates;
let server: https.Server;
let url = '';

before(async () => {
  fake = await startFakeTelegram();
  certs = await createTestCertificates();
  // Trust the test CA as an operator trusts an internal one, so the check verifies as usual.
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), certs.ca]);
  server = https.createServer(certs.expiring, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await certs.remove();
  await fake.close();
});

test('a certificate close to expiry: one degraded message and one warning, however many checks', async () => {
  const entity = apiEntity('web', url, [], { interval: 3600, timeout: 5 });
  const r = await startRig([entity], { telegram: telegramConfig(fake.apiRoot), degraded: true });
  try {
    for (let i = 0; i < 3; i++) {
      await r.check('web');
      await r.deliver();
    }
    const texts = fake.delivered().map((q) => q.params.text!);
    assert.equal(texts.length, 1, texts.join('\n---\n'));
    // The check's result (with the certificate) comes before the status change it causes.
    assert.match(texts[0]!, /^🔐 <b>web<\/b>: TLS certificate expires in [45] days\n<a href="[^"]+#web">Open on the map<\/a>\n\n🟡 <b>web<\/b> is degraded\n200 OK in \d+ ms, certificate expires in [45] days\n<a href=/);
  } finally {
    await r.close();
  }
});

test('without notify.degraded nothing is said', async () => {
  fake.requests.length = 0;
  const r = await startRig([apiEntity('web', url, [], { interval: 3600, timeout: 5 })], { telegram: telegramConfig(fake.apiRoot) });
  try {
    await r.check('web');
    await r.deliver();
    assert.equal(r.monitor.state('web')!.status, 'degraded');
    assert.equal(fake.requests.length, 0);
  } finally {
    await r.close();
  }
});
