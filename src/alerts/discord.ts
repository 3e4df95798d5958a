// Discord through a channel webhook: one message per alert, one embed per item, coloured by event.
// Mentions are switched off, so a target's text can never ping @everyone.
import { urlIssue } from '../config/rules.ts';
import { hookSecrets } from '../secrets.ts';
import type { Alert, AlertEvent, AlertItem, Channel } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { clip, details, headline, plainLine } from './format.ts';
import type { Line } from './format.ts';
import { deliverHttp } from './http-delivery.ts';

export interface DiscordConfig {
  /** The webhook URL; it is the credential. */
  readonly url: string;
  /** Shown as the sender instead of the webhook's own name; null = the webhook's. */
  readonly username: string | null;
}

/** Discord's limits: 10 embeds per message and 6,000 characters over all of them. */
const MAX_EMBEDS = 10;
const MAX_TITLE = 200;
const MAX_DESCRIPTION = 350;

const COLOUR: Record<AlertEvent, number> = {
  down: 0xd93025, impacted: 0xd93025, reminder: 0xe8710a, recovered: 0x1e8e3e, outage: 0xe8710a, degraded: 0xf9ab00, undegraded: 0x1e8e3e,
  certificate: 0xf9ab00, config_invalid: 0xd93025, config_fixed: 0x1e8e3e, flapping: 0x9334e6, flapping_end: 0x5f6368,
  maintenance_start: 0x2b5f9e, maintenance_end: 0x2b5f9e, probe_offline: 0xe8710a, probe_online: 0x1e8e3e,
};

/** Discord markdown: every character that could format is escaped with a backslash. */
export function escapeDiscord(text: string): string {
  return text.replace(/[\\*_~`|>#[\]()<@]/g, (c) => `\\${c}`);
}

function markdownLine(line: Line): string {
  return line.map((p) => (typeof p === 'string' ? escapeDiscord(p) : `**${escapeDiscord(p.bold)}**`)).join('');
}

function embed(i: AlertItem): Record<string, unknown> {
  return {
    title: clip(plainLine(headline(i)), MAX_TITLE),
    description: clip(details(i).map(markdownLine).join('\n'), MAX_DESCRIPTION),
    color: COLOUR[i.event],
    timestamp: new Date(i.at).toISOString(),
    ...(i.url === null ? {} : { url: i.url }),
  };
}

/** The webhook's JSON body. */
export function discordMessage(alert: Alert, username: string | null): Record<string, unknown> {
  const items = alert.items.length <= MAX_EMBEDS ? alert.items : alert.items.slice(0, MAX_EMBEDS - 1);
  const embeds = items.map(embed);
  if (items.length < alert.items.length) embeds.push({ description: `… and ${alert.items.length - items.length} more` });
  return { ...(username === null ? {} : { username }), embeds, allowed_mentions: { parse: [] } };
}

export function createDiscordChannel(config: DiscordConfig, timeoutMs = 10_000): Channel {
  return {
    name: 'discord',
    oneFollowUp: true,
    envelopes: (alert) => [{ key: `${alert.key}:discord`, payload: JSON.stringify(discordMessage(alert, config.username)) }],
    async send(payload, signal) {
      // Discord also says how long to wait in its JSON answer (`retry_after`, seconds).
      await deliverHttp({
        label: 'discord', url: config.url, body: payload, signal, timeoutMs,
        retryAfterFromBody: (body) => {
          const seconds = (body as { retry_after?: unknown }).retry_after;
          return typeof seconds === 'number' ? Math.ceil(seconds * 1000) : null;
        },
      });
    },
    close: async () => {},
  };
}

export const discord: ChannelType<DiscordConfig> = {
  build: (raw) => ({ url: raw.url as string, username: (raw.username as string | undefined) ?? null }),
  validate: (raw, at) => urlIssue(raw.url, at('url')),
  secrets: (config) => hookSecrets(config.url),
  create: (config, context) => createDiscordChannel(config, context.timeoutMs),
};
