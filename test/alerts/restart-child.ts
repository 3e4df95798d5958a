// A pulsemap-like process for the restart test: monitor + alerts on a real store and the real
// clock. `down` checks the target once and reports when its alert is queued (the parent then
// kills it mid-send); `deliver` waits until the outbox is empty and exits cleanly.
import { runCheck } from '../../src/checks/index.ts';
import { createMonitor } from '../../src/monitor/monitor.ts';
import { createAlertService } from '../../src/alerts/service.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { apiEntity, configOf, notifyOf } from '../helpers/entities.ts';
import { telegramConfig } from './helpers.ts';

const [mode, dir, apiRoot, targetUrl] = process.argv.slice(2) as ['down' | 'deliver', string, string, string];
const store = await openSqliteStore({ dir });
const config = configOf([apiEntity('shop', targetUrl, [], { failure_threshold: 1, interval: 3600, timeout: 5 })], {
  notify: notifyOf({ telegram: telegramConfig(apiRoot) }),
});
const monitor = createMonitor({ config, store, runCheck, random: () => 0.99 });
await monitor.start();
const alerts = createAlertService({ store, monitor, batchMs: 50, timeouts: { telegram: 600_000 } });
monitor.connect([alerts]);
await alerts.start();

const depth = async (): Promise<number> => store.outboxDepth();
const until = async (ok: () => Promise<boolean>): Promise<void> => {
  while (!(await ok())) await new Promise((resolve) => setTimeout(resolve, 10));
};

if (mode === 'down') {
  await monitor.checkNow('shop');
  await until(async () => (await depth()) === 1);
  process.stdout.write('queued\n');
  await new Promise(() => {}); // killed here, with the send in flight
} else {
  await until(async () => (await depth()) === 0);
  await monitor.stop();
  await alerts.close();
  await store.close();
  process.stdout.write('delivered\n');
}
