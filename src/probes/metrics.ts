// Prometheus figures of the probes: up or not per site, results accepted and rejected. Labels are
// site names from the configuration, never a token.
import type { Registry } from 'prom-client';
import type { ProbeStatus } from './presence.ts';

/** Results sent by each site's probe, counted from the start (src/metrics.ts keeps them). */
export type ProbeCounts = Map<string, { accepted: number; rejected: number }>;

/** `prom` is prom-client, loaded by the first scrape (src/metrics.ts). */
export function registerProbeMetrics({ Counter, Gauge }: typeof import('prom-client'), register: Registry, status: () => readonly ProbeStatus[], counts: ProbeCounts): void {
  new Gauge({
    name: 'pulsemap_probe_up',
    help: '1 while the probe of the site has been seen within its offline_after, else 0.',
    labelNames: ['site'],
    registers: [register],
    collect() {
      this.reset();
      for (const s of status()) this.set({ site: s.site }, s.online ? 1 : 0);
    },
  });
  new Counter({
    name: 'pulsemap_probe_results_total',
    help: 'Results sent by probes, by site and outcome (accepted or rejected).',
    labelNames: ['site', 'outcome'],
    registers: [register],
    collect() {
      this.reset();
      for (const [site, { accepted, rejected }] of counts) {
        this.inc({ site, outcome: 'accepted' }, accepted);
        this.inc({ site, outcome: 'rejected' }, rejected);
      }
    },
  });
}
