// tcp check against real servers on 127.0.0.1: one that greets, one that echoes, one that
// accepts and stays silent, one that closes at once, and a closed port.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { closedPort, startSilentServer } from '../helpers/pg.ts';
import type { SilentServer } from '../helpers/pg.ts';
import { entityOf } from '../helpers/entities.ts';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('tcp check', () => {
  const servers: Server[] = [];
  let greeter = 0;
  let echo = 0;
  let closer = 0;
  let silent: SilentServer;
  before(async () => {
    const greet = createServer((s) => { s.on('error', () => {}); s.end('SSH-2.0-OpenSSH_9.2 pulsemap-test\r\n'); });
    const echoing = createServer((s) => { s.on('error', () => {}); s.pipe(s); });
    const closing = createServer((s) => { s.on('error', () => {}); s.end('-ERR go away\r\n'); });
    servers.push(greet, echoing, closing);
    [greeter, echo, closer] = await Promise.all(servers.map(listen));
    silent = await startSilentServer();
  });
  after(async () => {
    for (const s of servers) s.close();
    await silent.close();
  });

  const tcp = (port: number, fields: Record<string, unknown> = {}) => entityOf('tcp', 't', { host: '127.0.0.1', port, timeout: 5, ...fields });

  it('connects; the latency is the connect time', async () => {
    const outcome = await runCheck(tcp(greeter));
    assert.equal(outcome.ok, true, outcome.message);
    assert.match(outcome.message, /^connected in \d+(\.\d+)? ms$/);
    assert.equal(typeof outcome.latency_ms, 'number');
  });

  it('expect: the greeting contains the text', async () => {
    const outcome = await runCheck(tcp(greeter, { expect: 'SSH-2.0' }));
    assert.equal(outcome.ok, true, outcome.message);
    assert.match(outcome.message, /^connected in .* ms, got "SSH-2.0"$/);
  });

  it('send and expect: an echo server answers what was sent', async () => {
    const outcome = await runCheck(tcp(echo, { send: 'PING pulsemap\r\n', expect: 'PING pulsemap' }));
    assert.equal(outcome.ok, true, outcome.message);
  });

  it('a different answer fails and quotes it; what was sent never shows', async () => {
    const outcome = await runCheck(tcp(echo, { send: 'AUTH s3cret-word\r\n', expect: '+OK', timeout: 1 }));
    // The echo server keeps the connection open: the check waits for "+OK" until the timeout.
    assert.equal(outcome.ok, false);
    assert.equal(outcome.message, 'timeout after 1 s waiting for "+OK"');
    const closed = await runCheck(tcp(closer, { expect: '+OK' }));
    assert.deepEqual([closed.ok, closed.message], [false, 'expected "+OK", got "-ERR go away" before the server closed the connection']);
    const echoed = await runCheck(tcp(echo, { send: 'AUTH s3cret-word\r\n', expect: 'nothing like it', timeout: 0.5 }));
    assert.doesNotMatch(JSON.stringify(echoed), /s3cret-word/);
  });

  it('a server that accepts and stays silent times out waiting for the expected text', async () => {
    const outcome = await runCheck(tcp(silent.port, { expect: 'SSH-2.0', timeout: 0.5 }));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'timeout after 0.5 s waiting for "SSH-2.0"']);
    assert.equal(typeof outcome.latency_ms, 'number', 'it did connect');
    const bare = await runCheck(tcp(silent.port, { timeout: 0.5 }));
    assert.equal(bare.ok, true, 'without expect, connecting is enough');
  });

  it('a closed port is refused', async () => {
    const outcome = await runCheck(tcp(await closedPort()));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'connection refused']);
  });

  it('target is host:port, IPv6 in brackets; send is a secret', async () => {
    const { tcp: type } = await import('../../src/checks/tcp.ts');
    assert.equal(tcp(22).target, '127.0.0.1:22');
    assert.equal(entityOf('tcp', 'v6', { host: '::1', port: 22 }).target, '[::1]:22');
    assert.deepEqual(type.secrets(tcp(22, { send: 'AUTH x' })), ['AUTH x']);
  });
});
