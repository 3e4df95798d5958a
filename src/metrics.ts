// Prometheus metrics (prom-client) on a registry of their own, never prom-client's global one,
// so two services in one process (tests) keep separate figures. Per-entity gauges are computed
// when Prometheus scrapes, from the monitor's live states: thousands of entities cost nothing
// between scrapes. prom-client itself is loaded by the first scrape (a service nobody scrapes
// never holds it): until then, and after, what must count from the start (the check duration
// histogram, alert and reload counters) is kept in plain numbers here, which the registry reads
// at every scrape. The histogram is written out here too: one array of bucket counts per entity,
// so a check costs an array increment, not a label hash.
//
// Labels are the entity's name, type and group (names from the configuration) and the alert
// channel: never a target, message, header or anything else that could hold a secret.

import type { Registry } from 'prom-client';
import type { Config, Entity, EntityState } from './types.ts';
import { STATUSES } from './types.ts';
import type { Monitor, MonitorSubscriber } from './monitor/monitor.ts';
import { successRatio } from './monitor/state.ts';
import { configuredChannels } from './alerts/channels.ts';
import type { StoreStatus } from './store/health.ts';
import { registerClusterMetrics } from './cluster/metrics.ts';
import type { ClusterView } from './cluster/node.ts';
import { registerProbeMetrics } from './probes/metrics.ts';
import type { ProbeCounts } from './probes/metrics.ts';
import type { ProbeStatus } from './probes/presence.ts';

export interface MetricsOptions {
  /** The live entities and states, read at scrape time. */
  readonly monitor: Pick<Monitor, 'list' | 'config' | 'load'>;
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
  /** A probe sent results: how many were accepted and rejected. */
  probeResults(site: string, accepted: number, rejected: number): void;
  /** The configuration file was reloaded and applied. */
  configReloaded(): void;
  /** An edit of the configuration file was rejected; the last good one keeps running. */
  configRejected(): void;
  close(): void;
}

const ENTITY_LABELS = ['name', 'type', 'group'] as const;
type EntityLabels = Record<(typeof ENTITY_LABELS)[number], string>;

function labelsOf(entity: Entity): EntityLabels {
  return { name: entity.name, type: entity.type, group: entity.group ?? '' };
}

type Prom = typeof import('prom-client');

function registerStoreMetrics({ Counter, Gauge }: Prom, register: Registry, status: () => StoreStatus): void {
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
function registerEntityMetrics({ Counter, Gauge }: Prom, register: Registry, entities: EntityList): void {
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

/** The content type of Prometheus text format 0.0.4 (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface DurationSeries { readonly labels: EntityLabels; readonly counts: Float64Array; sum: number; count: number }

/** A label value as Prometheus text format escapes it. */
const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The check duration histogram in Prometheus text format (cumulative buckets, then sum and count). */
export function renderDurations(series: Iterable<DurationSeries>): string {
  const lines = [
    '# HELP pulsemap_check_duration_seconds How long checks took (the latency they measured).',
    '# TYPE pulsemap_check_duration_seconds histogram',
  ];
  for (const { labels, counts, sum, count } of series) {
    const base = `name="${escapeLabel(labels.name)}",type="${escapeLabel(labels.type)}",group="${escapeLabel(labels.group)}"`;
    let cumulative = 0;
    DURATION_BUCKETS.forEach((le, i) => {
      cumulative += counts[i]!;
      lines.push(`pulsemap_check_duration_seconds_bucket{${base},le="${le}"} ${cumulative}`);
    });
    lines.push(`pulsemap_check_duration_seconds_bucket{${base},le="+Inf"} ${count}`);
    lines.push(`pulsemap_check_duration_seconds_sum{${base}} ${sum}`);
    lines.push(`pulsemap_check_duration_seconds_count{${base}} ${count}`);
  }
  return `${lines.join('\n')}\n`;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const { monitor } = options;
  // What counts from the start, whether or not anything scrapes.
  const durations = new Map<string, DurationSeries>();
  const alertsSent = new Map<string, number>();
  const alertsFailed = new Map<string, number>();
  let reloads = 0;
  let reloadErrors = 0;
  let configValid = 1;
  const probeCounts: ProbeCounts = new Map();
  let closed = false;

  let registry: Promise<Registry> | null = null;
  async function build(): Promise<Registry> {
    const prom = await import('prom-client');
    const { Counter, Gauge } = prom;
    const register = new prom.Registry();
    if (closed) return register;
    if (options.processMetrics ?? true) prom.collectDefaultMetrics({ register });
    registerEntityMetrics(prom, register, () => monitor.list());
    const perChannel = (name: string, help: string, counts: Map<string, number>): void => {
      new Counter({
        name, help, labelNames: ['channel'], registers: [register],
        collect() {
          this.reset();
          for (const [channel, n] of counts) this.inc({ channel }, n);
        },
      });
    };
    perChannel('pulsemap_alerts_sent_total', 'Alert messages delivered, by channel.', alertsSent);
    perChannel('pulsemap_alerts_failed_total', 'Failed alert delivery attempts, by channel (each retry counts).', alertsFailed);
    if (options.cluster) registerClusterMetrics(prom, register, options.cluster);
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
    if (options.store) registerStoreMetrics(prom, register, options.store);
    registerProbeMetrics(prom, register, options.probes ?? (() => []), probeCounts);
    const counter = (name: string, help: string, value: () => number): void => {
      new Counter({ name, help, registers: [register], collect() { this.reset(); this.inc(value()); } });
    };
    counter('pulsemap_config_reload_errors_total', 'Edits of the configuration file that were rejected.', () => reloadErrors);
    counter('pulsemap_config_reloads_total', 'Edits of the configuration file that were applied.', () => reloads);
    const gauge = (name: string, help: string, value: () => number): void => {
      new Gauge({ name, help, registers: [register], collect() { this.set(value()); } });
    };
    gauge('pulsemap_checks_in_flight', 'Checks running right now.', () => monitor.load().active);
    gauge('pulsemap_checks_waiting', 'Checks due but waiting for a free slot (checks.max_in_flight); above 0 for long, the service is behind.', () => monitor.load().waiting);
    gauge('pulsemap_checks_limit', 'How many checks may run at once now, paced by how busy the process is (at most checks.max_in_flight).', () => monitor.load().limit);
    new Gauge({
      name: 'pulsemap_config_valid',
      help: '1 while the configuration file is valid, 0 while an edit is rejected and the last good one runs.',
      registers: [register],
      collect() { this.set(configValid); },
    });
    return register;
  }

  // Series of entities that left the configuration (or changed type or group) are dropped.
  const observed = new Map<string, EntityLabels>();
  function onResult(entity: Entity, result: { latency_ms: number | null }): void {
    let labels = observed.get(entity.name);
    if (labels === undefined) {
      labels = labelsOf(entity);
      observed.set(entity.name, labels);
    }
    const latency = result.latency_ms;
    if (latency === null || !Number.isFinite(latency)) return;
    let series = durations.get(entity.name);
    if (series === undefined) {
      series = { labels, counts: new Float64Array(DURATION_BUCKETS.length), sum: 0, count: 0 };
      durations.set(entity.name, series);
    }
    const seconds = latency / 1000;
    const at = DURATION_BUCKETS.findIndex((le) => seconds <= le);
    if (at >= 0) series.counts[at]! += 1;
    series.sum += seconds;
    series.count += 1;
  }
  function onConfig(config: Config): void {
    for (const labels of staleSeries(observed, config)) {
      durations.delete(labels.name);
      observed.delete(labels.name);
    }
    // Configured channels' counters exist (at 0) before their first alert.
    for (const channel of configuredChannels(config)) {
      if (!alertsSent.has(channel)) alertsSent.set(channel, 0);
      if (!alertsFailed.has(channel)) alertsFailed.set(channel, 0);
    }
  }
  onConfig(monitor.config());

  const bump = (counts: Map<string, number>, channel: string): void => { counts.set(channel, (counts.get(channel) ?? 0) + 1); };
  return {
    contentType: PROMETHEUS_CONTENT_TYPE,
    async render() {
      registry ??= build();
      const text = await (await registry).metrics();
      return `${text}${renderDurations(durations.values())}`;
    },
    alertSent: (channel) => bump(alertsSent, channel),
    alertFailed: (channel) => bump(alertsFailed, channel),
    probeResults(site, accepted, rejected) {
      const counts = probeCounts.get(site) ?? { accepted: 0, rejected: 0 };
      probeCounts.set(site, { accepted: counts.accepted + accepted, rejected: counts.rejected + rejected });
    },
    configReloaded() {
      reloads += 1;
      configValid = 1;
    },
    configRejected() {
      reloadErrors += 1;
      configValid = 0;
    },
    onResult,
    onConfig,
    close() {
      closed = true;
      void registry?.then((r) => r.clear());
    },
  };
}
