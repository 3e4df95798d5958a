import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHeartbeat } from '../src/heartbeat.ts';
import { fakeClock } from './helpers/clock.ts';
import type { FakeClock } from './helpers/clock.ts';
import { captureLogger } from './alerts/helpers.ts';
import { eventually } from './helpers/poll.ts';

/** A dead man's switch on 127.0.0.1: records each call's path and User-Agent. */
async function startSwitch() {
  const calls: { path: string; agent: string }[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    calls.push({ path: req.url!, agent: req.headers['user-agent'] ?? '' });
    res.writeHead(status).end('OK');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    fail: (code: number) => { status = code; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Waits for the real call to finish and the next one to be planned on the manual clock. */
async function planned(clock: FakeClock): Promise<void> {
  await eventually(async () => clock.pendingTimers(), (n) => n > 0, 'the next call planned', 60_000);
}

describe('heartbeat', () => {
  it('calls at start and every interval until stopped, naming the instance', async () => {
    const target = await startSwitch();
    const clock = fakeClock();
    const { logger } = captureLogger();
    const beat = createHeartbeat({ url: () => `${target.url}/ping/abc`, intervalMs: () => 60_000, agent: 'pulsemap (web1)', clock, logger });
    const calls = (n: number) => eventually(async () => target.calls.length, (k) => k >= n, `call ${n} made`, 60_000);
    try {
      beat.start();
      await calls(1);
      await planned(clock);
      await clock.advance(59_000);
      assert.equal(target.calls.length, 1);
      await clock.advance(1_000);
      await calls(2);
      assert.deepEqual(target.calls[1], { path: '/ping/abc', agent: 'pulsemap (web1)' });
      await planned(clock);
      beat.stop();
      await clock.advance(120_000);
      assert.equal(target.calls.length, 2);
      assert.equal(clock.pendingTimers(), 0);
    } finally {
      beat.stop();
      await target.close();
    }
  });

  it('logs a failed call once, without the URL, and keeps calling', async () => {
    const target = await startSwitch();
    target.fail(500);
    const clock = fakeClock();
    const { logger, lines } = captureLogger();
    const secretUrl = `${target.url}/ping/secret-uuid-1234`;
    const beat = createHeartbeat({ url: () => secretUrl, intervalMs: () => 1_000, agent: 'pulsemap', clock, logger });
    try {
      beat.start();
      for (let i = 1; i <= 3; i++) {
        await planned(clock);
        await clock.advance(1_000);
      }
      await planned(clock);
      assert.equal(target.calls.length, 4, 'it kept calling');
      const text = lines.join('\n');
      assert.equal(lines.filter((l) => l.includes('heartbeat: the call failed')).length, 1, text);
      assert.match(text, /HTTP 500/);
      assert.ok(!text.includes('secret-uuid'), text);
    } finally {
      beat.stop();
      await target.close();
    }
  });
});
