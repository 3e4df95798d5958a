// Prometheus figures of the probes: up or not per site, results accepted and rejected. Labels are
// site names from the configuration, never a token.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { ProbeStatus } from './presence.ts';

export function registerProbeMetrics(register: Registry, status: () => readonly ProbeStatus[]): (site: string, accepted: number, rejected: number) => void {
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
  const results = new Counter({
    name: 'pulsemap_probe_results_total',
    help: 'Results sent by probes, by site and outcome (accepted or rejected).',
    labelNames: ['site', 'outcome'],
    registers: [register],
  });
  return (site, accepted, rejected) => {
    results.inc({ site, outcome: 'accepted' }, accepted);
    results.inc({ site, outcome: 'rejected' }, rejected);
  };
}
