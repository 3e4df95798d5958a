// Prometheus metrics (prom-client) on a registry of their own, never prom-client's global one,
// so two services in one process (tests) keep separate figures. Per-entity gauges are computed
// when Prometheus scrapes, from the monitor's live states: thousands of entities cost nothing
// between scrapes. Only the check duration histogram is fed as results arrive.
//
// Labels are the entity's name, type and group (names from the configuration) and the alert
// channel: never a target, message, header or anything else that could hold a secret.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config, Entity, EntityState } from './types.ts';
import { STATUSES } from './types.ts';
import type { Monitor, MonitorSubscriber } from './monitor/monitor.ts';
import { successRatio } from './monitor/state.ts';
import { configuredChannels } from './alerts/channels.ts';
import type { StoreStatus } from './store/health.ts';
import { registerClusterMetrics } from './cluster/metrics.ts';
import type { ClusterView } from './cluster/node.ts';
import { registerProbeMetrics } from './probes/metrics.ts';
import type { ProbeStatus } from './probes/presence.ts';

export interface MetricsOptions {
  /** The live entities and states, read at scrape time. */
  readonly monitor: Pick<Monitor, 'list' | 'config'>;
  /** Undelivered alert messages, read at scrape time (the store's outbox). */
  readonly outboxDepth?: () => Promise<number>;
  /** Whether the store can be read and written, and its queued writes (store/health.ts). */
  readonly store?: () => StoreStatus;
  /** Default process and Node.js metrics; default true. */
  readonly processMetrics?: boolean;
  /** Several instances: this instance's view of the cluster, read at scrape time. */
  readonly cluster?: () => ClusterView;
  /** Probes at other sites, read at scrape time. */
  readonly probes?: () => readonly ProbeStatus[];
}

/** Results feed the duration histogram; a new configuration drops the series of entities that left. */
export interface Metrics extends Required<Pick<MonitorSubscriber, 'onResult' | 'onConfig'>> {
  readonly contentType: string;
  /** Every metric in Prometheus text format. */
  render(): Promise<string>;
  /** An alert message was delivered on `channel` (telegram, webhook, email). */
  alertSent(channel: string): void;
  /** A delivery attempt on `channel` failed (each failed attempt counts). */
  alertFailed(channel: string): void;
  /** The configuration file was reloaded and applied. */
  configReloaded(): void;
  /** An edit of the configuration file was rejected; the last good one keeps running. */
  configRejected(): void;
  /** A probe sent results: how many were accepted and rejected. */
  probeResults(site: string, accepted: number, rejected: number): void;
  close(): void;
}

const ENTITY_LABELS = ['name', 'type', 'group'] as const;
type EntityLabels = Record<(typeof ENTITY_LABELS)[number], string>;

function labelsOf(entity: Entity): EntityLabels {
  return { name: entity.name, type: entity.type, group: entity.group ?? '' };
}

function registerStoreMetrics(register: Registry, status: () => StoreStatus): void {
  new Gauge({
    name: 'pulsemap_store_up',
    help: '1 while the store can be read and written, 0 while it fails (checks go on, writes wait in memory).',
    registers: [register],
    collect() { this.set(status().ok ? 1 : 0); },
  });
  new Gauge({
    name: 'pulsemap_store_queued_writes',
    help: 'Results, states and transitions waiting in memory to be written to the store.',
    registers: [register],
    collect() { this.set(status().queued); },
  });
  new Counter({
    name: 'pulsemap_store_dropped_writes_total',
    help: 'Results and transitions dropped, oldest first, because too many waited while the store failed.',
    registers: [register],
    collect() {
      this.reset();
      this.inc(status().dropped);
    },
  });
}

type EntityList = () => readonly { entity: Entity; state: EntityState }[];

/** Per-entity gauges and counters, computed from the live states when Prometheus scrapes. */
function registerEntityMetrics(register: Registry, entities: EntityList): void {
  new Gauge({
    name: 'pulsemap_entity_status',
    help: 'Current status of the entity: 1 for the status it is in, 0 for the others.',
    labelNames: [...ENTITY_LABELS, 'status'],
    registers: [register],
    collect() {
      this.reset();
      for (const { entity, state } of entities()) {
        const labels = labelsOf(entity);
        for (const status of STATUSES) this.set({ ...labels, status }, state.status === status ? 1 : 0);
      }
    },
  });

  new Gauge({
    name: 'pulsemap_entity_up',
    help: 'Whether the entity works (status ok or degraded): 1, or 0. Absent until its first check.',
    labelNames: ENTITY_LABELS,
    registers: [register],
    collect() {
      this.reset();
      for (const { entity, state } of entities()) {
        if (state.status === 'unknown') continue;
        this.set(labelsOf(entity), state.status === 'ok' || state.status === 'degraded' ? 1 : 0);
      }
    },
  });

  new Counter({
    name: 'pulsemap_checks_total',
    help: 'Checks run, by result (success or failure); continues across restarts.',
    labelNames: [...ENTITY_LABELS, 'result'],
    registers: [register],
    collect() {
      this.reset();
      for (const { entity, state } of entities()) {
        const labels = labelsOf(entity);
        this.inc({ ...labels, result: 'success' }, state.success_count);
        this.inc({ ...labels, result: 'failure' }, state.fail_count);
      }
    },
  });

  new Gauge({
    name: 'pulsemap_entity_success_ratio',
    help: 'Successful checks over all checks since the entity was first seen (0 before the first check).',
    labelNames: ENTITY_LABELS,
    registers: [register],
    collect() {
      this.reset();
      for (const { entity, state } of entities()) this.set(labelsOf(entity), successRatio(state));
    },
  });

  new Gauge({
    name: 'pulsemap_entity_last_check_timestamp_seconds',
    help: 'When the last finished check started (Unix time). Absent until the first check.',
    labelNames: ENTITY_LABELS,
    registers: [register],
    collect() {
      this.reset();
      for (const { entity, state } of entities()) {
        if (state.lastcheck !== null) this.set(labelsOf(entity), state.lastcheck / 1000);
      }
    },
  });

  new Gauge({
    name: 'pulsemap_certificate_days_left',
    help: 'Days until the TLS certificate of an https entity expires, as of its last check.',
    labelNames: ENTITY_LABELS,
    registers: [register],
    collect() {
      this.reset();
      for (const { entity, state } of entities()) {
        const days = state.extra.cert_days;
        if (typeof days === 'number' && Number.isFinite(days)) this.set(labelsOf(entity), days);
      }
    },
  });

}

/** Series of entities that left the configuration, or changed type or group: their labels are stale. */
export function staleSeries(observed: ReadonlyMap<string, EntityLabels>, config: Config): EntityLabels[] {
  const current = new Map(config.entities.map((e) => [e.name, labelsOf(e)]));
  return [...observed.values()].filter((labels) => {
    const now = current.get(labels.name);
    return !(now && now.type === labels.type && now.group === labels.group);
  });
}

export function createMetrics(options: MetricsOptions): Metrics {
  const { monitor } = options;
  const register = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register });
  registerEntityMetrics(register, () => monitor.list());

  const duration = new Histogram({
    name: 'pulsemap_check_duration_seconds',
    help: 'How long checks took (the latency they measured).',
    labelNames: ENTITY_LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [register],
  });

  const alertsSent = new Counter({
    name: 'pulsemap_alerts_sent_total',
    help: 'Alert messages delivered, by channel.',
    labelNames: ['channel'],
    registers: [register],
  });
  const alertsFailed = new Counter({
    name: 'pulsemap_alerts_failed_total',
    help: 'Failed alert delivery attempts, by channel (each retry counts).',
    labelNames: ['channel'],
    registers: [register],
  });

  if (options.cluster) registerClusterMetrics(register, options.cluster);
  if (options.outboxDepth) {
    const read = options.outboxDepth;
    new Gauge({
      name: 'pulsemap_outbox_depth',
      help: 'Alert messages waiting for delivery (not yet sent or dropped).',
      registers: [register],
      async collect() {
        // A store that cannot answer right now must not fail the whole scrape: keep the last figure.
        try {
          this.set(await read());
        } catch {}
      },
    });
  }

  if (options.store) registerStoreMetrics(register, options.store);
  const probeResults = registerProbeMetrics(register, options.probes ?? (() => []));

  const reloadErrors = new Counter({
    name: 'pulsemap_config_reload_errors_total',
    help: 'Edits of the configuration file that were rejected.',
    registers: [register],
  });
  const reloads = new Counter({
    name: 'pulsemap_config_reloads_total',
    help: 'Edits of the configuration file that were applied.',
    registers: [register],
  });
  const configValid = new Gauge({
    name: 'pulsemap_config_valid',
    help: '1 while the configuration file is valid, 0 while an edit is rejected and the last good one runs.',
    registers: [register],
  });
  configValid.set(1);

  // Series of entities that left the configuration (or changed type or group) are dropped.
  const observed = new Map<string, EntityLabels>();
  function onResult(entity: Entity, result: { latency_ms: number | null }): void {
    const labels = labelsOf(entity);
    observed.set(entity.name, labels);
    if (result.latency_ms !== null && Number.isFinite(result.latency_ms)) duration.observe(labels, result.latency_ms / 1000);
  }
  function onConfig(config: Config): void {
    for (const labels of staleSeries(observed, config)) {
      duration.remove(labels);
      observed.delete(labels.name);
    }
    // Configured channels' counters exist (at 0) before their first alert.
    for (const channel of configuredChannels(config)) {
      alertsSent.inc({ channel }, 0);
      alertsFailed.inc({ channel }, 0);
    }
  }
  onConfig(monitor.config());

  return {
    contentType: register.contentType,
    render: () => register.metrics(),
    alertSent: (channel) => alertsSent.inc({ channel }),
    alertFailed: (channel) => alertsFailed.inc({ channel }),
    configReloaded() {
      reloads.inc();
      configValid.set(1);
    },
    configRejected() {
      reloadErrors.inc();
      configValid.set(0);
    },
    probeResults,
    onResult,
    onConfig,
    close() {
      register.clear();
    },
  };
}
