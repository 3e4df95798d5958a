// Slack through an incoming webhook: one message per alert, one section block per item in
// Slack's mrkdwn, with the plain text as the notification fallback.
import { urlIssue } from '../config/rules.ts';
import { hookSecrets } from '../secrets.ts';
import type { Alert, AlertItem, Channel } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { clip, details, headline, plainText } from './format.ts';
import type { Line } from './format.ts';
import { deliverHttp } from './http-delivery.ts';

export interface SlackConfig {
  /** The incoming webhook URL; it is the credential. */
  readonly url: string;
}

/** Slack's limits: 50 blocks per message, 3,000 characters per section. */
const MAX_BLOCKS = 50;
const MAX_SECTION = 3000;

/** Slack's mrkdwn needs only these three escaped; user text can then not open a link or mention. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mrkdwnLine(line: Line): string {
  return line.map((p) => (typeof p === 'string' ? escapeSlack(p) : `*${escapeSlack(p.bold)}*`)).join('');
}

function section(i: AlertItem): Record<string, unknown> {
  const lines = [headline(i), ...details(i)].map(mrkdwnLine);
  if (i.url !== null) lines.push(`<${escapeSlack(i.url)}|Open on the map>`);
  return { type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), MAX_SECTION) } };
}

/** The webhook's JSON body: `text` (notifications, old clients) and `blocks`. */
export function slackMessage(alert: Alert): Record<string, unknown> {
  const items = alert.items.length <= MAX_BLOCKS ? alert.items : alert.items.slice(0, MAX_BLOCKS - 1);
  const blocks = items.map(section);
  if (items.length < alert.items.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${alert.items.length - items.length} more` }] });
  }
  return { text: clip(plainText(alert), MAX_SECTION), blocks };
}

export function createSlackChannel(config: SlackConfig, timeoutMs = 10_000): Channel {
  return {
    name: 'slack',
    oneFollowUp: true,
    envelopes: (alert) => [{ key: `${alert.key}:slack`, payload: JSON.stringify(slackMessage(alert)) }],
    async send(payload, signal) {
      await deliverHttp({ label: 'slack', url: config.url, body: payload, signal, timeoutMs });
    },
    close: async () => {},
  };
}

export const slack: ChannelType<SlackConfig> = {
  build: (raw) => ({ url: raw.url as string }),
  validate: (raw, at) => urlIssue(raw.url, at('url')),
  secrets: (config) => hookSecrets(config.url),
  create: (config, context) => createSlackChannel(config, context.timeoutMs),
};
