// ntfy (ntfy.sh or a self-hosted server): one notification per alert through ntfy's JSON
// publishing, its priority and tags (emoji) by what happened. Access tokens and passwords are
// added when sending, never stored with the queued message.
import { urlIssue } from '../config/rules.ts';
import type { Alert, AlertEvent, Channel } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { clip, headline, plainLine, plainText } from './format.ts';
import { deliverHttp } from './http-delivery.ts';

export interface NtfyConfig {
  /** The server. Default https://ntfy.sh. */
  readonly url: string;
  readonly topic: string;
  /** An access token (`Authorization: Bearer`); null = none. */
  readonly token: string | null;
  /** Basic authentication; null = none. */
  readonly user: string | null;
  readonly password: string | null;
}

/** ntfy's priorities: 1 min, 2 low, 3 default, 4 high, 5 max (urgent). */
const PRIORITY: Record<AlertEvent, number> = {
  down: 5, impacted: 3, reminder: 4, recovered: 3, outage: 3, degraded: 3, undegraded: 2, certificate: 3, config_invalid: 4, config_fixed: 2,
  flapping: 4, flapping_end: 3, maintenance_start: 2, maintenance_end: 2, probe_offline: 4, probe_online: 2,
};

/** Tags that ntfy shows as emoji. */
const TAGS: Record<AlertEvent, string> = {
  down: 'rotating_light', impacted: 'rotating_light', reminder: 'repeat', recovered: 'white_check_mark', outage: 'hourglass', degraded: 'warning',
  undegraded: 'green_circle', certificate: 'lock', config_invalid: 'warning', config_fixed: 'white_check_mark',
  flapping: 'twisted_rightwards_arrows', flapping_end: 'stop_button', maintenance_start: 'wrench', maintenance_end: 'checkered_flag',
  probe_offline: 'satellite', probe_online: 'satellite',
};

/** ntfy turns longer messages into attachments. */
const MAX_MESSAGE = 4000;

/** The JSON published to the server's root URL. */
export function ntfyMessage(alert: Alert, topic: string): Record<string, unknown> {
  const first = alert.items[0]!;
  const more = alert.items.length > 1 ? ` (+${alert.items.length - 1} more)` : '';
  return {
    topic,
    title: `${plainLine(headline(first).slice(1))}${more}`,
    message: clip(plainText(alert), MAX_MESSAGE),
    priority: Math.max(...alert.items.map((i) => PRIORITY[i.event])),
    tags: [...new Set(alert.items.map((i) => TAGS[i.event]))],
    ...(first.url === null ? {} : { click: first.url }),
  };
}

function authorization(config: NtfyConfig): Record<string, string> {
  if (config.token !== null) return { authorization: `Bearer ${config.token}` };
  if (config.user !== null) return { authorization: `Basic ${Buffer.from(`${config.user}:${config.password ?? ''}`).toString('base64')}` };
  return {};
}

export function createNtfyChannel(config: NtfyConfig, timeoutMs = 10_000): Channel {
  return {
    name: 'ntfy',
    oneFollowUp: true,
    envelopes: (alert) => [{ key: `${alert.key}:ntfy`, payload: JSON.stringify(ntfyMessage(alert, config.topic)) }],
    async send(payload, signal) {
      await deliverHttp({ label: 'ntfy', url: `${config.url}/`, headers: authorization(config), body: payload, signal, timeoutMs });
    },
    close: async () => {},
  };
}

export const ntfy: ChannelType<NtfyConfig> = {
  build: (raw) => ({
    url: ((raw.url as string | undefined) ?? 'https://ntfy.sh').replace(/\/+$/, ''),
    topic: raw.topic as string,
    token: (raw.token as string | undefined) ?? null,
    user: (raw.user as string | undefined) ?? null,
    password: (raw.password as string | undefined) ?? null,
  }),
  validate: (raw, at) => urlIssue(raw.url, at('url')),
  secrets: (config) => [config.token, config.password].filter((s): s is string => s !== null),
  create: (config, context) => createNtfyChannel(config, context.timeoutMs),
};
