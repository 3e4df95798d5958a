// runCheck's promises: never throws, ends in time, honours the caller's signal.
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { apiEntity, pingEntity } from '../helpers/entities.ts';
import { startSilentServer } from '../helpers/pg.ts';

describe('runCheck', () => {
  it('turns a malformed target into a failed outcome', async () => {
    const outcome = await runCheck(apiEntity('bad', 'not a url', [], { timeout: 1 }));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'invalid URL']);
  });

  it('takes timeouts that are not whole milliseconds', async () => {
    const outcome = await runCheck(pingEntity('lo', [], { timeout: 1.0005 }));
    assert.equal(outcome.ok, true, outcome.message);
  });

  it('an already aborted signal ends the check at once', async () => {
    const outcome = await runCheck(pingEntity('lo'), { signal: AbortSignal.abort() });
    assert.deepEqual([outcome.ok, outcome.message, outcome.latency_ms], [false, 'check aborted', null]);
  });

  it('checks running on one signal add one abort listener to it between them, and all end when it aborts', async () => {
    const silent = await startSilentServer();
    try {
      const stop = new AbortController();
      const running = Array.from({ length: 200 }, (_, i) => runCheck(apiEntity(`hung${i}`, `http://127.0.0.1:${silent.port}/${i}`, [], { timeout: 60 }), { signal: stop.signal }));
      assert.equal(getEventListeners(stop.signal, 'abort').length, 1);
      stop.abort();
      const outcomes = await Promise.all(running);
      assert.deepEqual(outcomes.filter((o) => o.ok || !/abort/i.test(o.message ?? '')), []);
      assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
      // A check that ends on its own stops waiting on the signal; a later one still hears it.
      const other = new AbortController();
      assert.equal((await runCheck(apiEntity('short', `http://127.0.0.1:${silent.port}/short`, [], { timeout: 0.2 }), { signal: other.signal })).message, 'timeout after 0.2 s');
      const late = runCheck(apiEntity('late', `http://127.0.0.1:${silent.port}/late`, [], { timeout: 60 }), { signal: other.signal });
      other.abort();
      assert.match((await late).message ?? '', /abort/i);
    } finally {
      await silent.close();
    }
  });

  it('one hung target does not hold up another check', async () => {
    const silent = await startSilentServer();
    try {
      const started = performance.now();
      const hung = runCheck(apiEntity('hung', `http://127.0.0.1:${silent.port}/`, [], { timeout: 1 }));
      const quick = await runCheck(pingEntity('lo', [], { timeout: 1 }));
      assert.equal(quick.ok, true);
      assert.ok(performance.now() - started < 500, 'the quick check waited for the hung one');
      assert.equal((await hung).message, 'timeout after 1 s');
    } finally {
      await silent.close();
    }
  });
});
