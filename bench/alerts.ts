// Question 5, alert latency: a target starts failing; how long until the fake Telegram server
// receives the alert, with failure_threshold 3 and retry_interval 1 s (interval 5 s). Measured
// from the moment the target starts failing, from the first failing check's request, and from the
// third (confirming) one's, as the target server saw them. One entity fails per trial.
import { join } from 'node:path';
import { FULL, entityName, fmt, median, startHelper, table, tempDir, writeEntities } from './common.ts';
import { startFakeTelegram } from './fake-telegram.ts';

const TRIALS = FULL ? 10 : 3;
const INTERVAL = 5;
const RETRY = 1;

const telegram = await startFakeTelegram();
const target = await startHelper('./target-server.ts');
const dir = tempDir('alerts');
const fromFailing: number[] = [];
const fromFirst: number[] = [];
const fromThird: number[] = [];
try {
  const config = writeEntities(dir.path, {
    count: TRIALS, interval: INTERVAL, retryInterval: RETRY, failureThreshold: 3, timeout: 2,
    baseUrl: `http://127.0.0.1:${target.ready.port as number}`,
    extraYaml: ['notify:', '  telegram:', '    token: "123456:bench"', '    chat_id: "1"', `    api_url: ${telegram.apiRoot}`].join('\n'),
  });
  const pm = await startHelper('./pulsemap-child.ts', [config, join(dir.path, 'data')]);
  try {
    // Every entity has passed once, so each trial starts from ok.
    while ((await pm.ask<{ checkedOnce: number }>('status')).checkedOnce < TRIALS) await new Promise((r) => setTimeout(r, 200));
    for (let k = 0; k < TRIALS; k++) {
      const path = `/e/${k}`;
      const seen = telegram.messages.length;
      const { at: failingAt } = await target.ask<{ at: number }>('fail', { path, on: true });
      const message = await telegram.waitFor(entityName(k), seen, (INTERVAL + 3 * RETRY + 15) * 1000);
      const { at: failures } = await target.ask<{ at: number[] }>('failures', { path });
      fromFailing.push(message.at - failingAt);
      fromFirst.push(message.at - failures[0]!);
      fromThird.push(message.at - failures[2]!);
    }
  } finally {
    await pm.stop();
  }
} finally {
  dir.remove();
  await target.stop();
  await telegram.close();
}

const s = (ms: number[]) => `${fmt(median(ms) / 1000, 2)} (${fmt(Math.min(...ms) / 1000, 2)}–${fmt(Math.max(...ms) / 1000, 2)})`;
console.log(`### 5. Alert latency (interval ${INTERVAL} s, retry_interval ${RETRY} s, failure_threshold 3; ${TRIALS} trials; seconds, median (min–max))\n`);
console.log(table(
  ['from the target failing', 'from the first failing check', 'from the third failing check', 'target: from the first failing check', 'trials over target'],
  [[s(fromFailing), s(fromFirst), s(fromThird), `≤ ${2 * RETRY + 1} s`, `${fromFirst.filter((ms) => ms > (2 * RETRY + 1) * 1000).length} of ${TRIALS}`]],
));
