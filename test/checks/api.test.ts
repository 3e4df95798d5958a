// api check against real node:http / node:https servers on 127.0.0.1.
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCheck } from '../../src/checks/index.ts';
import type { ApiEntity, ApiExpect, CheckOutcome } from '../../src/types.ts';
import { apiEntity } from '../helpers/entities.ts';
import { closedPort } from '../helpers/pg.ts';
import { createTestCertificates } from '../helpers/tls.ts';
import type { TestCertificates } from '../helpers/tls.ts';

/**
 * Allowed lateness of a timed-out check: runCheck's 200 ms grace plus the timer delays of a loaded
 * machine. What the checks wait for takes 3 s or forever, so the bound still tells them apart.
 */
const MARGIN_MS = 1500;
const ENDLESS_CAP = 64 * 1024 * 1024;

interface Served {
  readonly base: string;
  readonly open: Set<Socket>;
  /** Bytes the /endless route managed to write before the client went away. */
  endlessBytes: Promise<number>;
  lastEcho: unknown;
  close(): Promise<void>;
}

function routes(served: { endlessBytes: Promise<number>; lastEcho: unknown }): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, route, arg] = url.pathname.split('/');
    const n = Number(arg);
    switch (route) {
      case 'ok': return void res.end('all ok here');
      case 'status': res.statusCode = n; return void res.end('nope');
      case 'slow': return void setTimeout(() => res.end('ok'), n).unref();
      case 'hang-body': res.writeHead(200, { 'content-type': 'text/plain' }); return void res.write('partial');
      case 'json': res.setHeader('content-type', 'application/json'); return void res.end('{"status":"ok","db":{"connected":true},"items":[{"id":7}]}');
      case 'json-down': res.setHeader('content-type', 'application/json'); return void res.end('{"status":"down","db":{"connected":false}}');
      case 'redirect': res.writeHead(n > 0 ? 302 : 200, n > 0 ? { location: `/redirect/${n - 1}` } : {}); return void res.end('ok');
      case 'loop': res.writeHead(302, { location: '/loop' }); return void res.end();
      case 'see-other': res.writeHead(303, { location: '/echo' }); return void res.end();
      case 'elsewhere': res.writeHead(307, { location: `http://127.0.0.1:${n}/echo` }); return void res.end();
      case 'echo': {
        let body = '';
        req.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => {
          served.lastEcho = { method: req.method, headers: req.headers, body };
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(served.lastEcho));
        });
        return;
      }
      case 'endless': {
        served.endlessBytes = new Promise((resolve) => {
          let written = 0;
          const chunk = Buffer.alloc(64 * 1024, 'x');
          res.writeHead(200, { 'content-type': 'text/plain' });
          const pump = () => {
            while (written < ENDLESS_CAP && !res.destroyed) {
              written += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('close', () => resolve(written));
          pump();
        });
        return;
      }
      default: res.statusCode = 404; return void res.end();
    }
  };
}

async function serve(make: (listener: http.RequestListener) => http.Server, scheme: 'http' | 'https'): Promise<Served> {
  const state = { endlessBytes: Promise.resolve(0), lastEcho: undefined as unknown };
  const server = make(routes(state));
  const open = new Set<Socket>();
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const served = Object.assign(state, {
    base: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
  return served;
}

const expectOf = (over: Partial<ApiExpect>): ApiExpect => ({ status: null, body_contains: null, json: null, max_latency_ms: null, ...over });
const entity = (url: string, over: Partial<Omit<ApiEntity, 'type' | 'name'>> = {}) => apiEntity('web', url, [], { timeout: 2, ...over });

async function timed(check: Promise<CheckOutcome>): Promise<[CheckOutcome, number]> {
  const started = performance.now();
  const outcome = await check;
  return [outcome, performance.now() - started];
}

describe('api check', () => {
  let plain: Served;
  let other: Served;
  before(async () => {
    plain = await serve((l) => http.createServer(l), 'http');
    other = await serve((l) => http.createServer(l), 'http');
  });
  after(async () => {
    await plain.close();
    await other.close();
  });
  // Every check opens its own connections and must close them all before it returns.
  afterEach(async () => {
    for (let i = 0; i < 50 && plain.open.size + other.open.size > 0; i++) await sleep(10);
    assert.equal(plain.open.size + other.open.size, 0, 'a check left a connection open');
  });

  const cases: { name: string; path: string; over?: Partial<Omit<ApiEntity, 'type' | 'name'>>; ok: boolean; degraded?: boolean; message: string | RegExp; status?: number }[] = [
    { name: '200', path: '/ok', ok: true, message: /^200 OK in \d+ ms$/, status: 200 },
    { name: '503', path: '/status/503', ok: false, message: 'expected status 2xx, got 503', status: 503 },
    { name: 'listed status', path: '/status/503', over: { expect: expectOf({ status: [200] }) }, ok: false, message: 'expected status 200, got 503' },
    { name: 'several statuses', path: '/status/418', over: { expect: expectOf({ status: [200, 204, 301] }) }, ok: false, message: 'expected status 200, 204 or 301, got 418' },
    { name: 'an accepted non-2xx', path: '/status/503', over: { expect: expectOf({ status: [503] }) }, ok: true, message: /^503 Service Unavailable in/ },
    { name: 'body contains', path: '/ok', over: { expect: expectOf({ body_contains: 'ok' }) }, ok: true, message: /^200 OK/ },
    { name: 'body lacks', path: '/ok', over: { expect: expectOf({ body_contains: 'ready' }) }, ok: false, message: 'body does not contain "ready"' },
    { name: 'json dot paths', path: '/json', over: { expect: expectOf({ json: { status: 'ok', 'db.connected': true, 'items.0.id': 7 } }) }, ok: true, message: /^200 OK/ },
    { name: 'json mismatch', path: '/json-down', over: { expect: expectOf({ json: { status: 'ok' } }) }, ok: false, message: 'json status: expected "ok", got "down"' },
    { name: 'json nested mismatch', path: '/json-down', over: { expect: expectOf({ json: { 'db.connected': true } }) }, ok: false, message: 'json db.connected: expected true, got false' },
    { name: 'json missing path', path: '/json', over: { expect: expectOf({ json: { 'db.replica': true } }) }, ok: false, message: 'json db.replica: expected true, but it is missing' },
    { name: 'json, not JSON', path: '/ok', over: { expect: expectOf({ json: { status: 'ok' } }) }, ok: false, message: 'response body is not JSON' },
    { name: 'slower than max_latency_ms', path: '/slow/80', over: { expect: expectOf({ max_latency_ms: 20 }) }, ok: true, degraded: true, message: /^200 OK in \d+ ms, slower than 20 ms$/ },
    { name: '3 redirects', path: '/redirect/3', ok: true, message: /^200 OK in \d+ ms after 3 redirects$/ },
    { name: '5 redirects', path: '/redirect/5', ok: true, message: /after 5 redirects$/ },
    { name: '6 redirects', path: '/redirect/6', ok: false, message: 'too many redirects (5)' },
    { name: 'redirect loop', path: '/loop', ok: false, message: 'too many redirects (5)', status: 302 },
    { name: 'follow_redirects false', path: '/redirect/1', over: { follow_redirects: false }, ok: false, message: 'expected status 2xx, got 302', status: 302 },
    { name: 'follow_redirects false, 302 expected', path: '/redirect/1', over: { follow_redirects: false, expect: expectOf({ status: [302] }) }, ok: true, message: /^302 Found/ },
    { name: 'endless body, no expectations', path: '/endless', ok: true, message: /^200 OK/ },
    { name: 'endless body, body_contains', path: '/endless', over: { expect: expectOf({ body_contains: 'needle' }) }, ok: false, message: 'body does not contain "needle" (first 1 MiB read)' },
    { name: 'endless body, json', path: '/endless', over: { expect: expectOf({ json: { a: 1 } }) }, ok: false, message: 'response body is larger than 1 MiB, not parsed as JSON' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const outcome = await runCheck(entity(plain.base + c.path, c.over));
      if (typeof c.message === 'string') assert.equal(outcome.message, c.message);
      else assert.match(outcome.message, c.message);
      assert.equal(outcome.ok, c.ok);
      assert.equal(outcome.degraded, c.degraded ?? false);
      if (c.status !== undefined) assert.equal(outcome.extra.http_status, c.status);
      if (c.ok) assert.equal(typeof outcome.latency_ms, 'number');
    });
  }

  it('stops reading an endless body at 1 MiB and closes the connection', async (t) => {
    const outcome = await runCheck(entity(`${plain.base}/endless`));
    assert.equal(outcome.ok, true);
    const written = await plain.endlessBytes;
    t.diagnostic(`server wrote ${written} bytes before the check closed the connection`);
    // The server could push only what fits in 1 MiB plus the kernel's socket buffers.
    assert.ok(written < 16 * 1024 * 1024, `server wrote ${written} bytes`);
  });

  for (const [name, path] of [['slower than the timeout', '/slow/3000'], ['hangs after the headers', '/hang-body']]) {
    it(`${name}: fails at the timeout`, async () => {
      // Not before it: a timer set just before the check, due 50 ms before its timeout, has fired
      // by then. Timers are ordered by their due time, so this holds however busy the machine is
      // (a wall-clock lower bound does not: Node dates a timer from the loop's cached time).
      let earlierTimerFired = false;
      const earlier = setTimeout(() => { earlierTimerFired = true; }, 250);
      const [outcome, ms] = await timed(runCheck(entity(plain.base + path, { timeout: 0.3 })));
      clearTimeout(earlier);
      assert.equal(outcome.message, 'timeout after 0.3 s');
      assert.equal(outcome.ok, false);
      assert.ok(earlierTimerFired, `ended after ${ms} ms, before its timeout`);
      assert.ok(ms < 300 + MARGIN_MS, `took ${ms} ms`);
    });
  }

  it('an outer signal aborts the check', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const [outcome, ms] = await timed(runCheck(entity(`${plain.base}/slow/3000`), { signal: controller.signal }));
    assert.equal(outcome.message, 'check aborted');
    assert.ok(ms < 100 + MARGIN_MS, `took ${ms} ms`);
  });

  it('sends method, headers and body', async () => {
    const outcome = await runCheck(entity(`${plain.base}/echo`, {
      method: 'POST', headers: { 'X-Token': 'tok-123', 'content-type': 'text/plain' }, body: 'hello',
      expect: expectOf({ json: { method: 'POST', 'headers.x-token': 'tok-123', body: 'hello' } }),
    }));
    assert.equal(outcome.ok, true, outcome.message);
  });

  it('turns URL credentials into Basic auth and never shows them', async () => {
    const url = `${plain.base.replace('//', '//alice:pa%3Ass@')}/echo`;
    const outcome = await runCheck(entity(url, { expect: expectOf({ json: { 'headers.authorization': 'nope' } }) }));
    assert.equal(outcome.ok, false);
    const sent = (plain.lastEcho as { headers: Record<string, string> }).headers.authorization;
    assert.equal(sent, `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`);
    assert.equal(outcome.message, 'json headers.authorization: expected "nope", got "***"');
  });

  it('hides header values the server echoes back', async () => {
    const outcome = await runCheck(entity(`${plain.base}/echo`, {
      headers: { 'X-Api-Key': 'supersecret' }, expect: expectOf({ json: { 'headers.x-api-key': 'other' } }),
    }));
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.message.includes('supersecret'), outcome.message);
  });

  it('303 after POST becomes a GET without a body', async () => {
    const outcome = await runCheck(entity(`${plain.base}/see-other`, {
      method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' },
      expect: expectOf({ json: { method: 'GET', body: '' } }),
    }));
    assert.equal(outcome.ok, true, outcome.message);
  });

  it('drops credentials when a redirect leaves the origin', async () => {
    const port = new URL(other.base).port;
    const outcome = await runCheck(entity(`${plain.base}/elsewhere/${port}`, { headers: { Authorization: 'Bearer abcdef' } }));
    assert.equal(outcome.ok, true, outcome.message);
    const headers = (other.lastEcho as { headers: Record<string, string> }).headers;
    assert.equal(headers.authorization, undefined);
  });

  it('connection refused', async () => {
    const outcome = await runCheck(entity(`http://127.0.0.1:${await closedPort()}/`));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'connection refused']);
  });

  it('a silent server times out', async () => {
    const { startSilentServer } = await import('../helpers/pg.ts');
    const silent = await startSilentServer();
    try {
      const [outcome, ms] = await timed(runCheck(entity(`http://127.0.0.1:${silent.port}/`, { timeout: 0.3 })));
      assert.equal(outcome.message, 'timeout after 0.3 s');
      assert.ok(ms < 300 + MARGIN_MS, `took ${ms} ms`);
      for (let i = 0; i < 500 && silent.stats.closed < silent.stats.accepted; i++) await sleep(10);
      assert.equal(silent.stats.closed, silent.stats.accepted, 'connection left open');
    } finally {
      await silent.close();
    }
  });
});

describe('api check over TLS', () => {
  let certs: TestCertificates;
  const servers: Record<string, Served> = {};
  before(async () => {
    certs = await createTestCertificates();
    // Trust the test CA the way an operator trusts an internal one (like NODE_EXTRA_CA_CERTS),
    // so the checker runs unchanged with verification on.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), certs.ca]);
    for (const name of ['selfSigned', 'expired', 'expiring', 'valid'] as const) {
      servers[name] = await serve((l) => https.createServer(certs[name], l), 'https');
    }
  });
  afterEach(async () => {
    const open = () => Object.values(servers).reduce((n, served) => n + served.open.size, 0);
    for (let i = 0; i < 50 && open() > 0; i++) await sleep(10);
    assert.equal(open(), 0, 'a check left a TLS connection open');
  });
  after(async () => {
    for (const served of Object.values(servers)) await served.close();
    await certs.remove();
  });

  const cases: { server: string; ok: boolean; degraded: boolean; message: string | RegExp; days?: number[] }[] = [
    { server: 'valid', ok: true, degraded: false, message: /^200 OK in \d+ ms$/, days: [364, 365] },
    { server: 'expiring', ok: true, degraded: true, message: /^200 OK in \d+ ms, certificate expires in [45] days$/, days: [4, 5] },
    { server: 'expired', ok: false, degraded: false, message: 'certificate has expired' },
    { server: 'selfSigned', ok: false, degraded: false, message: 'self-signed certificate' },
  ];
  for (const c of cases) {
    it(`${c.server} certificate`, async () => {
      const outcome = await runCheck(entity(`${servers[c.server]!.base}/ok`));
      if (typeof c.message === 'string') assert.equal(outcome.message, c.message);
      else assert.match(outcome.message, c.message);
      assert.equal(outcome.ok, c.ok);
      assert.equal(outcome.degraded, c.degraded);
      if (c.days) assert.ok(c.days.includes(outcome.extra.cert_days as number), `cert_days ${outcome.extra.cert_days}`);
      else assert.equal(outcome.extra.cert_days, undefined);
    });
  }

  it('https to a plain HTTP port fails the handshake', async () => {
    const plain = await serve((l) => http.createServer(l), 'http');
    try {
      const outcome = await runCheck(entity(`${plain.base.replace('http:', 'https:')}/ok`));
      assert.equal(outcome.ok, false);
      assert.match(outcome.message, /TLS handshake failed/);
    } finally {
      await plain.close();
    }
  });
});
