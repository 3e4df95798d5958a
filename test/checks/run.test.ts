// runCheck's promises: never throws, ends in time, honours the caller's signal.
import assert from 'node:assert/strict';
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
