// PagerDuty through the Events API v2: a failure triggers an incident and its recovery resolves
// it, both with the same dedup key (entity and start of the failure), so PagerDuty's incident is
// ours. Reminders are left to PagerDuty's own escalation. The routing key is added when sending,
// never stored with the queued event.
import { urlIssue } from '../config/rules.ts';
import type { AlertEvent, AlertItem, Channel, Envelope } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { clip, plainBlock, plainLine, headline } from './format.ts';
import { deliverHttp } from './http-delivery.ts';

export interface PagerDutyConfig {
  /** The integration's routing key (Events API v2). */
  readonly routing_key: string;
  /** The events endpoint. Default https://events.pagerduty.com/v2/enqueue. */
  readonly url: string;
}

type Severity = 'critical' | 'error' | 'warning' | 'info';

/** What each event does in PagerDuty; null = nothing (PagerDuty escalates on its own). */
const ACTION: Record<AlertEvent, { action: 'trigger' | 'resolve'; severity: Severity; incident: 'down' | 'degraded' | 'certificate' | 'config' } | null> = {
  down: { action: 'trigger', severity: 'critical', incident: 'down' },
  recovered: { action: 'resolve', severity: 'info', incident: 'down' },
  // Over before it could be told: nothing to open in PagerDuty.
  outage: null,
  reminder: null,
  // The incident is already open; PagerDuty has no field to complete.
  impacted: null,
  degraded: { action: 'trigger', severity: 'warning', incident: 'degraded' },
  undegraded: { action: 'resolve', severity: 'info', incident: 'degraded' },
  certificate: { action: 'trigger', severity: 'warning', incident: 'certificate' },
  config_invalid: { action: 'trigger', severity: 'error', incident: 'config' },
  config_fixed: { action: 'resolve', severity: 'info', incident: 'config' },
  // Flapping pauses our own incidents; what it settles to is told as down or recovered.
  flapping: null,
  flapping_end: null,
  // Planned work is not an incident.
  maintenance_start: null,
  maintenance_end: null,
  // A silent probe makes its sites unknown, not the entities down: told on the other channels.
  probe_offline: null,
  probe_online: null,
};

/**
 * The incident an item belongs to: a failure (or degradation) is named by its entity and when it
 * began, which its recovery repeats; a certificate by its entity; configuration problems by the file.
 */
export function dedupKey(i: AlertItem, incident: 'down' | 'degraded' | 'certificate' | 'config'): string {
  if (incident === 'config' || i.entity === null) return 'pulsemap:config';
  if (incident === 'certificate') return `pulsemap:${i.entity}:certificate`;
  return `pulsemap:${i.entity}:${incident}:${new Date(i.since ?? i.at).toISOString()}`;
}

/** The event without its routing key; null when the item means nothing to PagerDuty. */
export function pagerDutyEvent(i: AlertItem): Record<string, unknown> | null {
  const what = ACTION[i.event];
  if (what === null) return null;
  const dedup_key = dedupKey(i, what.incident);
  if (what.action === 'resolve') return { event_action: 'resolve', dedup_key };
  return {
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: clip(`${plainLine(headline(i).slice(1))}: ${i.message.split('\n')[0] ?? ''}`, 1024),
      source: i.entity ?? 'pulsemap',
      severity: what.severity,
      timestamp: new Date(i.at).toISOString(),
      custom_details: { message: i.message, impacted: i.impacted, since: i.since === null ? null : new Date(i.since).toISOString(), text: plainBlock(i) },
    },
    ...(i.url === null ? {} : { links: [{ href: i.url, text: 'Open on the map' }] }),
  };
}

export function createPagerDutyChannel(config: PagerDutyConfig, timeoutMs = 10_000): Channel {
  return {
    name: 'pagerduty',
    envelopes: (alert) => alert.items.flatMap((i): Envelope[] => {
      const event = pagerDutyEvent(i);
      return event === null ? [] : [{ key: `${i.key}:pagerduty`, payload: JSON.stringify(event) }];
    }),
    async send(payload, signal) {
      const body = JSON.stringify({ routing_key: config.routing_key, ...(JSON.parse(payload) as object) });
      await deliverHttp({ label: 'pagerduty', url: config.url, body, signal, timeoutMs });
    },
    close: async () => {},
  };
}

export const pagerduty: ChannelType<PagerDutyConfig> = {
  build: (raw) => ({
    routing_key: raw.routing_key as string,
    url: (raw.url as string | undefined) ?? 'https://events.pagerduty.com/v2/enqueue',
  }),
  validate: (raw, at) => urlIssue(raw.url, at('url')),
  secrets: (config) => [config.routing_key],
  create: (config, context) => createPagerDutyChannel(config, context.timeoutMs),
};
