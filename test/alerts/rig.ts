// A whole alert pipeline on real parts: a Monitor running the real checks against targets on
// 127.0.0.1 (HTTP servers, PostgreSQL behind a proxy the test can cut), the SQLite store, the
// alert service, and the fake Bot API. Monitor and alerts share a manual clock.
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { runCheck } from '../../src/checks/index.ts';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { createAlertService } from '../../src/alerts/service.ts';
import type { AlertService, AlertServiceOptions } from '../../src/alerts/service.ts';
import type { DatabaseEntity, Entity } from '../../src/types.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { configOf, notifyOf } from '../helpers/entities.ts';
import { createFlapTracker } from '../../src/monitor/flap-tracker.ts';
import { PGURL } from '../helpers/pg.ts';
import { captureLogger, tempStore } from './helpers.ts';
import type { TempStore } from './helpers.ts';

export const DB_PASSWORD = 'db-Pa55-w0rd-xyz';

/** When a rig's clock starts. */
export const RIG_START = Date.UTC(2026, 10, 21, 6, 0, 0);

/** A TCP proxy to the test PostgreSQL: down() closes the port (connections refused), up() reopens it. */
export interface PgProxy {
  readonly port: number;
  up(): Promise<void>;
  down(): Promise<void>;
}

export async function startPgProxy(): Promise<PgProxy> {
  const target = new URL(PGURL);
  const sockets = new Set<Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  return {
    port,
    async up() {
      if (!listening) await listen(port);
      listening = true;
    },
    async down() {
      if (!listening) return;
      listening = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function databaseEntity(name: string, port: number): DatabaseEntity {
  const real = new URL(PGURL);
  return {
    name, type: 'database', url: `postgres://${real.username || 'postgres'}:${DB_PASSWORD}@127.0.0.1:${port}${real.pathname}`,
    query: 'select 1', target: `127.0.0.1:${port}${real.pathname}`, interval: 3600, timeout: 5, retry_interval: 15,
    failure_threshold: 1, success_threshold: 1, dependencies: [], group: null, extra: {}, line: 1,
  };
}

export interface Rig {
  readonly clock: FakeClock;
  readonly temp: TempStore;
  readonly monitor: Monitor;
  readonly alerts: AlertService;
  readonly lines: string[];
  readonly lateness: number[];
  /** Runs these checks now (in parallel) and waits for them. */
  check(...names: string[]): Promise<void>;
  /** Ends the batch window and waits for every delivery. */
  deliver(): Promise<void>;
  close(): Promise<void>;
}

export async function startRig(
  entities: Entity[],
  notify: Parameters<typeof notifyOf>[0],
  options: Partial<AlertServiceOptions> & { temp?: TempStore; clock?: FakeClock } = {},
): Promise<Rig> {
  const clock = options.clock ?? fakeClock(RIG_START);
  const temp = options.temp ?? await tempStore();
  const { logger, lines } = captureLogger();
  const lateness: number[] = [];
  const config = configOf(entities, {
    public_url: 'https://status.example.com',
    notify: notifyOf(notify),
  });
  const monitor = createMonitor({
    config, store: temp.store, runCheck, clock, logger, random: () => 0.5,
    onCheckStart: (_name, late) => lateness.push(late),
  });
  await monitor.start();
  const flaps = createFlapTracker();
  const alerts = createAlertService({ store: temp.store, monitor, clock, logger, flaps, ...options });
  monitor.connect([flaps, alerts]);
  await alerts.start();
  await alerts.idle();
  return {
    clock, temp, monitor, alerts, lines, lateness,
    async check(...names) {
      await Promise.all(names.map((n) => monitor.checkNow(n)));
    },
    async deliver() {
      await clock.advance(2000);
      await alerts.idle();
    },
    async close() {
      await monitor.stop();
      await alerts.close();
      await temp.store.close();
      if (!options.temp) temp.remove();
    },
  };
}
