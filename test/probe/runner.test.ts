// The probe's runner paces its checks like the server: past the limit they wait for a slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRunner } from '../../src/probe/runner.ts';
import { FLOOR } from '../../src/monitor/pacer.ts';
import { fakeClock } from '../helpers/clock.ts';

test('a probe runs at most the paced limit of checks at once; the others wait, none fails for it', async () => {
  // A target that holds every request until the test lets go.
  const held: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => { held.push(res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const results: { entity: string; ok: boolean }[] = [];
  const clock = fakeClock(0);
  const runner = createRunner({ env: {}, clock, random: () => 0, busy: () => 1, onResult: (r) => results.push({ entity: r.entity, ok: r.ok }) });
  try {
    const count = FLOOR + 20;
    runner.apply(Array.from({ length: count }, (_, i) => ({ name: `e${i}`, type: 'api', interval: 3600, timeout: 30, check: { url } })));
    await clock.advance(100);
    // Every check fell due at once: the limit's worth hold a slot, the rest wait for one.
    assert.deepEqual(runner.load(), { limit: FLOOR, active: FLOOR, waiting: 20 });
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(ok(), what);
    };
    await until('the first checks reach the target', () => held.length === FLOOR);
    for (const res of held.splice(0, 5)) res.end('ok');
    await until('five waiting checks take the five slots freed', () => held.length === FLOOR);
    assert.deepEqual(runner.load(), { limit: FLOOR, active: FLOOR, waiting: 15 });
    for (const res of held.splice(0)) res.end('ok');
    await until('the rest run', () => held.length === 15);
    for (const res of held.splice(0)) res.end('ok');
    for (let i = 0; i < 500 && results.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(results.length, count);
    assert.ok(results.every((r) => r.ok), 'no check failed for waiting');
  } finally {
    await runner.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
