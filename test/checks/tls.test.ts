// tls check against TLS servers on 127.0.0.1 with valid, self-signed, expiring and expired
// certificates (made at test time), a name that does not match, and a port that is not TLS.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { entityOf } from '../helpers/entities.ts';
import { closedPort } from '../helpers/pg.ts';
import { createTestCertificates } from '../helpers/tls.ts';
import type { TestCertificates } from '../helpers/tls.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('tls check', () => {
  let certs: TestCertificates;
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  before(async () => {
    certs = await createTestCertificates();
    // Trusted the way an operator trusts an internal CA (like NODE_EXTRA_CA_CERTS).
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), certs.ca]);
    for (const name of ['selfSigned', 'expired', 'expiring', 'valid'] as const) {
      const server = tls.createServer(certs[name], (socket) => { socket.on('error', () => {}); socket.end(); });
      server.on('tlsClientError', () => {});
      servers.push(server);
      ports[name] = await listen(server);
    }
    const plain = createServer((socket) => { socket.on('error', () => {}); socket.end('SSH-2.0-not-tls\r\n'); });
    servers.push(plain);
    ports.plain = await listen(plain);
  });
  after(async () => {
    for (const s of servers) s.close();
    await certs.remove();
  });

  const check = (name: string, fields: Record<string, unknown> = {}) =>
    runCheck(entityOf('tls', 'cert', { host: '127.0.0.1', port: ports[name], timeout: 5, ...fields }));

  it('valid: days left, issuer, no degradation; the figure is the days left', async () => {
    const outcome = await check('valid');
    assert.equal(outcome.ok, true, outcome.message);
    assert.equal(outcome.degraded, false);
    assert.equal(outcome.extra.cert_days, 364);
    assert.match(outcome.message, /^certificate valid for 364 days, issued by pulsemap test CA, handshake in \d+ ms$/);
  });

  it('servername is matched against the certificate: localhost matches, another name does not', async () => {
    const named = await check('valid', { host: 'localhost', servername: 'localhost' });
    assert.equal(named.ok, true, named.message);
    const wrong = await check('valid', { servername: 'www.example.test' });
    assert.deepEqual([wrong.ok, wrong.message], [false, 'certificate does not match www.example.test (it is for 127.0.0.1, localhost)']);
    assert.equal(wrong.extra.cert_days, 364, 'the days are still told');
  });

  it('expiring in 5 days: degraded, like the api check', async () => {
    const outcome = await check('expiring');
    assert.equal(outcome.ok, true, outcome.message);
    assert.equal(outcome.degraded, true);
    assert.equal(outcome.extra.cert_days, 5);
    assert.match(outcome.message, /, certificate expires in 5 days$/);
  });

  it('expired, self-signed, not TLS, closed: errors that say why', async () => {
    const expired = await check('expired');
    assert.deepEqual([expired.ok, expired.message], [false, 'certificate has expired (1 day ago)']);
    assert.ok(Number(expired.extra.cert_days) < 0, 'negative days left once expired');
    const self = await check('selfSigned');
    assert.deepEqual([self.ok, self.message], [false, 'self-signed certificate']);
    const plain = await check('plain');
    assert.equal(plain.ok, false);
    assert.match(plain.message, /^TLS handshake failed/);
    const closed = await runCheck(entityOf('tls', 'c', { host: '127.0.0.1', port: await closedPort(), timeout: 5 }));
    assert.deepEqual([closed.ok, closed.message], [false, 'connection refused']);
  });

  it('port defaults to 443 and servername to host; the target is host:port', () => {
    const entity = entityOf('tls', 'www', { host: 'www.example.test' });
    assert.deepEqual([entity.port, entity.servername, entity.target], [443, 'www.example.test', 'www.example.test:443']);
  });
});
