// Telegram unreachable for minutes: checks keep their schedule, alerts wait, then all arrive in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { telegramConfig, waitUntil } from './helpers.ts';
import { startRig } from './rig.ts';

let fake: FakeTelegram;
let target: Target;
before(async () => {
  fake = await startFakeTelegram();
  target = await startTarget(200, 'ok');
});
after(async () => {
  await fake.close();
  await target.close();
});

for (const mode of ['hangs', 'refuses connections'] as const) {
  test(`Telegram ${mode} for minutes: every check starts on time and no alert is lost`, async () => {
    fake.requests.length = 0;
    if (mode === 'hangs') fake.fallback = 'hang';
    else await fake.refuse();
    // Channel timeouts far beyond the test: only the outbox's own deadline (on the manual clock) ends a send.
    const entity = apiEntity('flappy', target.url, [], { interval: 10, failure_threshold: 1, timeout: 5 });
    const r = await startRig([entity], { telegram: telegramConfig(fake.apiRoot) }, { timeouts: { telegram: 600_000 } });
    try {
      let results = 0;
      r.monitor.connect([r.alerts, { onResult: () => { results += 1; } }]);
      await r.clock.advance(5000); // the first check (spread: half of the interval)
      await waitUntil(() => results === 1, 'the first check');
      // Five minutes of checks, each flipping the status, so every check queues an alert.
      for (let i = 1; i <= 30; i++) {
        target.status = i % 2 === 1 ? 503 : 200;
        await r.clock.advance(10_000);
        await waitUntil(() => results === i + 1, `check ${i + 1}`);
      }
      assert.equal(results, 31);
      assert.deepEqual(r.lateness, new Array(31).fill(0), 'no check started late');
      assert.equal(fake.delivered().length, 0);
      if (mode === 'hangs') assert.ok(fake.requests.length >= 1, 'delivery was attempted');
      const health = async () => (await r.alerts.health()) as { alerts: { outbox_depth: number; last_error: unknown } };
      await r.clock.advance(2000); // the last batch window
      await waitUntil(async () => (await health()).alerts.outbox_depth === 30, 'all 30 alerts queued');
      assert.notEqual((await health()).alerts.last_error, null);

      fake.fallback = 'ok';
      await fake.accept();
      for (let i = 0; i < 20 && (await health()).alerts.outbox_depth > 0; i++) {
        await r.clock.advance(60_000);
        await r.alerts.idle();
      }
      const texts = fake.delivered().map((q) => q.params.text!);
      const downs = texts.join('\n').match(/flappy<\/b> is (down|back up)/g)!;
      assert.equal(downs.length, 30, 'every transition told once');
      assert.deepEqual(downs, Array.from({ length: 30 }, (_, i) => `flappy</b> is ${i % 2 === 0 ? 'down' : 'back up'}`), 'in order');
    } finally {
      await r.close();
      fake.fallback = 'ok';
      await fake.accept();
    }
  });
}
