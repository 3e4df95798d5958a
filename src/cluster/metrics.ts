// Cluster figures in /metrics, read at scrape time from the instance's latest view.
import type { Registry } from 'prom-client';
import type { ClusterView } from './node.ts';

/** `prom` is prom-client, loaded by the first scrape (src/metrics.ts). */
export function registerClusterMetrics({ Gauge }: typeof import('prom-client'), register: Registry, view: () => ClusterView): void {
  const gauge = (name: string, help: string, value: (v: ClusterView) => number): void => {
    new Gauge({ name, help, registers: [register], collect() { this.set(value(view())); } });
  };
  gauge('pulsemap_cluster_instances_alive', 'Instances of the cluster whose lease is current.', (v) => v.instances.filter((i) => i.alive).length);
  gauge('pulsemap_cluster_leader', '1 while this instance holds the alerter\'s lease.', (v) => (v.leader === v.self && v.fenced === null ? 1 : 0));
  gauge('pulsemap_cluster_fenced', '1 while this instance stands down (its lease could not be renewed).', (v) => (v.fenced === null ? 0 : 1));
  gauge('pulsemap_cluster_config_mismatch', '1 while some live instance runs another entities.yaml.', (v) => (v.config_mismatch ? 1 : 0));
  gauge('pulsemap_cluster_entities', 'Entities this instance checks.', (v) => v.instances.find((i) => i.id === v.self)?.entities ?? 0);
}
