// Composition root: wires configuration, store, monitor, watcher and HTTP server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config/load.ts';
import { watchConfig } from './config/watch.ts';
import { configMaxBytes, readBounded } from './config/limits.ts';
import { runCheck } from './checks/index.ts';
import { createPushInbox } from './checks/push-inbox.ts';
import { createMonitor } from './monitor/monitor.ts';
import { describeChange } from './monitor/plan.ts';
import type { Monitor, MonitorSubscriber, RunCheck } from './monitor/monitor.ts';
import { createProbeService } from './probes/service.ts';
import { openStore } from './store/open.ts';
import { openWatchedStore, StoreUnavailableError } from './store/health.ts';
import type { OutboxMessage, Store } from './store/store.ts';
import { createApp } from './server/app.ts';
import { createEditor } from './editing/service.ts';
import { collectSecrets } from './config/secrets.ts';
import { createAuditLog } from './editing/audit.ts';
import type { ConfigStatus } from './server/deps.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { createMapService } from './map/service.ts';
import { createMapRenderer, prestartForConfig } from './map/render.ts';
import { createEventHub } from './server/routes/events.ts';
import { createUptimeCache } from './server/uptime.ts';
import { createAlertService } from './alerts/service.ts';
import { createFlapTracker } from './monitor/flap-tracker.ts';
import { createMaintenance } from './maintenance/service.ts';
import { createChatOps } from './alerts/telegram-commands.ts';
import type { ChatOps } from './alerts/telegram-commands.ts';
import type { EntityMarks } from './types.ts';
import { systemClock } from './clock.ts';
import { clusterSettings, configHash, instanceName } from './cluster/settings.ts';
import type { ClusterNode } from './cluster/node.ts';
import { createLeaderAlerts } from './cluster/leader-alerts.ts';
import { fencedStore } from './cluster/fenced-store.ts';
import { createHeartbeat } from './heartbeat.ts';
import os from 'node:os';
import type { AlertService } from './alerts/service.ts';

export interface ServeOptions {
  readonly config: string;
  readonly port: number;
  readonly host: string;
  readonly data: string;
  /** A postgres:// URL selects PostgreSQL; otherwise SQLite under `data`. */
  readonly store: string | null;
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Called as each check starts, with how late it is against its plan (benchmarks). */
  readonly onCheckStart?: (name: string, lateMs: number) => void;
  /** Told of results after the service's own subscribers (benchmarks). */
  readonly observers?: readonly MonitorSubscriber[];
  /** This instance's id in a cluster (`--instance`); default hostname-pid. */
  readonly instance?: string | null;
  /** Joins this cluster even without `cluster:` in the file (PULSEMAP_CLUSTER). */
  readonly cluster?: string | null;
}

export interface Service {
  readonly url: string;
  readonly port: number;
  readonly monitor: Monitor;
  readonly store: Store;
  readonly metrics: Metrics;
  /** Set when running as one of several instances. */
  readonly cluster: ClusterNode | null;
  close(): Promise<void>;
}

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AGGREGATE_DAYS = 400;

export async function startService(options: ServeOptions): Promise<Service> {
  const { logger } = options;
  const env = options.env ?? process.env;
  // Views of a large estate are laid out in a child process: started now, it is ready by the time
  // the configuration is read and the first map drawn (src/map/render.ts).
  const renderer = createMapRenderer();
  prestartForConfig(renderer, options.config);
  const config = await loadConfig(options.config, env);
  const settings = clusterSettings(config, options.cluster ?? null, options.store);
  const instance = settings ? instanceName(options.instance ?? null) : null;
  // Store failures are a state (store/health.ts): one log line when it fails, one when it is back.
  const storeHealth = await openWatchedStore((onError) => openStore({ url: options.store, dir: options.data, onError }), { logger });
  const { store } = storeHealth;
  const pushes = createPushInbox(systemClock);
  const check: RunCheck = (entity, run) => runCheck(entity, { ...run, pushes, now: systemClock.now });
  // Located entities are judged from their sites' results (probes/): the probe service needs the monitor, and the monitor its checker.
  let judge = check;
  const monitor = createMonitor({ config, store, logger, onCheckStart: options.onCheckStart, runCheck: (entity, run) => judge(entity, run) });
  const probes = createProbeService({
    monitor, store, clock: systemClock, logger, shared: settings !== null,
    onResults: (site, accepted, rejected) => metrics.probeResults(site, accepted, rejected),
    // Alone, always; in a cluster, the leader's alert service alone hears it.
    onPresence: (status) => alerts.probePresence(status),
  });
  judge = probes.checker(check);
  const flaps = createFlapTracker();
  await flaps.seed(store, config);
  let node: ClusterNode | null = null;
  const metrics = createMetrics({
    monitor, outboxDepth: () => store.outboxDepth(), store: storeHealth.status, cluster: settings ? () => node!.view() : undefined,
    probes: () => probes.status(),
  });
  // Delivery never runs on the check path: the alert service only records and arms timers there.
  const alertsOn = (on: Store, claim?: (m: OutboxMessage) => Promise<boolean>): AlertService => createAlertService({
    store: on, monitor, logger, flaps, storeHealth,
    outbox: { onSent: (channel) => metrics.alertSent(channel), onFailed: (channel) => metrics.alertFailed(channel), claim },
  });
  let hash = settings ? configHash(options.config) : '';
  // Called only by the process that alerts: alone, always; in a cluster, by the leader.
  const heartbeat = createHeartbeat({
    url: () => monitor.config().heartbeat.url,
    intervalMs: () => monitor.config().heartbeat.interval * 1000,
    agent: `pulsemap (${instance ?? os.hostname()})`,
    logger,
  });
  let alerts: AlertService;
  if (settings) {
    // Several instances: the entities are split among them and one of them sends the alerts.
    const leading = createLeaderAlerts({
      logger,
      leader: () => node?.view().leader ?? null,
      make: (term) => {
        const fenced = fencedStore(store, node!.pool, term);
        return alertsOn(fenced, (m) => fenced.outboxClaim(m.id));
      },
    });
    // Loaded only here: it brings pg, which a single instance on SQLite never needs.
    const { createClusterNode } = await import('./cluster/node.ts');
    node = createClusterNode({
      url: options.store!, cluster: settings, instance: instance!, configHash: () => hash, monitor, logger,
      onLeadership: (term) => {
        void leading.lead(term);
        if (term) heartbeat.start();
        else heartbeat.stop();
      },
    });
    alerts = leading;
    // Nothing is checked until the first renewal says which entities are this instance's.
    monitor.assign(new Set());
  } else {
    alerts = alertsOn(store);
  }
  const maintenance = createMaintenance({ monitor, store, logger });
  maintenance.listen((change) => alerts.maintenanceChanged(change));
  const marks = (name: string): EntityMarks => ({
    flapping: flaps.isFlapping(name), ack: alerts.ackOf(name), maintenance: monitor.maintenanceOf(name), sites: probes.sitesOf(name),
  });
  await monitor.start();
  const map = createMapService({ monitor, logger, flapping: (name) => flaps.isFlapping(name), renderer });
  const uptime = createUptimeCache(store, systemClock);
  const events = createEventHub({ monitor, store, uptime, marks });
  // Where every check result, status change and reload goes, in this order.
  // Connected before the first check can end: timers fire only after this synchronous stretch.
  // Check figures count this instance's own checks, not those it reads from the others.
  const ownChecks: MonitorSubscriber = {
    onResult: (entity, result, state) => { if (monitor.owns(entity.name)) metrics.onResult(entity, result, state); },
    onConfig: (next) => metrics.onConfig(next),
  };
  monitor.connect([flaps, ownChecks, map, events, alerts, ...(options.observers ?? [])]);
  // Windows open before the alerts catch up, so a failure inside one is not announced at start.
  await maintenance.start();
  await alerts.start();
  // Telegram commands: one poller per bot; with several instances none (two pollers of one bot conflict).
  let chatOps: ChatOps | null = null;
  if (!settings) {
    chatOps = createChatOps({
      config: () => monitor.config(),
      states: () => monitor.list().map((e) => e.state),
      acknowledge: (name, ack) => alerts.acknowledge(name, ack),
      silence: async (scope, seconds, reason, by) => {
        const window = await maintenance.add({ ...scope, duration: seconds, reason, name: 'silence' }, by);
        return { id: window.id, end: window.schedule.kind === 'once' ? window.schedule.end : systemClock.now() };
      },
      now: () => systemClock.now(),
    }, { logger });
    chatOps.onConfig(config);
  }
  await node?.start();
  if (!node) heartbeat.start();

  let status: ConfigStatus = { path: path.resolve(options.config), loaded_at: Date.now(), error: null };
  const watcher = watchConfig({
    file: options.config,
    load: (file) => loadConfig(file, env),
    read: (file) => readBounded(file, configMaxBytes(file, env)),
    onChange: (next) => {
      if (settings) hash = configHash(options.config);
      const change = describeChange(monitor.apply(next));
      maintenance.onConfig(next);
      chatOps?.onConfig(next);
      pushes.keepOnly(new Set(next.entities.map((e) => e.name)));
      probes.onConfig(next);
      alerts.configFixed(next);
      status = { ...status, loaded_at: Date.now(), error: null };
      metrics.configReloaded();
      events.configChanged(status);
      logger.info({ entities: next.entities.length, ...change }, 'configuration reloaded');
    },
    onError: (lines) => {
      status = { ...status, error: lines };
      alerts.configRejected(lines);
      metrics.configRejected();
      events.configChanged(status);
      logger.error({ errors: lines }, 'configuration rejected; the last good one keeps running');
    },
  });

  const prune = setInterval(() => {
    const now = Date.now();
    const raw = monitor.config().retention.raw_days;
    store.prune(now - raw * DAY, now - AGGREGATE_DAYS * DAY).then(
      (removed) => { if (removed > 0) logger.info({ removed }, 'pruned old results'); },
      // A failing store has said so once already (store/health.ts).
      (err: unknown) => logger[err instanceof StoreUnavailableError ? 'debug' : 'error']({ err: String(err) }, 'pruning failed'),
    );
  }, HOUR);
  prune.unref();

  // Changes from the page and the API go through the file and come back through the watcher.
  const audit = createAuditLog(path.join(options.data, 'audit.jsonl'));
  const editor = createEditor({ file: options.config, env, reload: () => watcher.reload(), audit, secrets: () => collectSecrets(monitor.config()) });
  const app = createApp({
    monitor, store, logger, configStatus: () => status, storeStatus: storeHealth.status, webDir: WEB_DIR, metrics, map, events, uptime, pushes, marks, acks: alerts, maintenance, health: alerts.health, editor, audit,
    cluster: node ?? undefined, probes,
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const url = `http://${shownHost}:${port}`;
  logger.info({ url, entities: config.entities.length, store: store.kind }, 'pulsemap listening');

  let closing: Promise<void> | null = null;
  return {
    url, port, monitor, store, metrics, cluster: node,
    close() {
      closing ??= (async () => {
        watcher.close();
        clearInterval(prune);
        events.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        maintenance.close();
        probes.close();
        await chatOps?.close();
        await monitor.stop();
        heartbeat.stop();
        await alerts.close();
        // After the last alerts are queued: the leases go, and the others take over at once.
        await node?.close();
        await map.close();
        metrics.close();
        await store.close();
        logger.info('pulsemap stopped');
      })();
      return closing;
    },
  };
}
