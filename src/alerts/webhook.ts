// Webhook: one JSON document per alert item, POSTed with the configured headers. Receivers are
// programs, so a batch is split back into its events; each keeps the flat documented shape.
import { urlIssue } from '../config/rules.ts';
import { urlSecrets } from '../secrets.ts';
import type { Alert, Channel } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { webhookDocument } from './format.ts';
import { deliverHttp } from './http-delivery.ts';

export interface WebhookConfig {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookChannelOptions {
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

export { retryAfterMs } from './http-delivery.ts';

export function createWebhookChannel(config: WebhookConfig, options: WebhookChannelOptions = {}): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: 'webhook',
    envelopes: (alert: Alert) =>
      alert.items.map((item) => ({ key: `${item.key}:webhook`, payload: JSON.stringify(webhookDocument(item)) })),
    async send(payload, signal) {
      await deliverHttp({
        label: 'webhook', url: config.url, body: payload, signal, timeoutMs,
        headers: { 'user-agent': options.userAgent ?? 'pulsemap', ...config.headers },
        // A receiver is a program that may be fixed at any time: nothing it answers is final.
        permanent: () => false,
      });
    },
    close: async () => {},
  };
}

export const webhook: ChannelType<WebhookConfig> = {
  build(raw) {
    return { url: raw.url as string, headers: { ...(raw.headers as Record<string, string> | undefined) } };
  },
  validate: (raw, at) => urlIssue(raw.url, at('url')),
  // Hook URLs (Slack, Discord...) carry their credential in the path: the whole URL is secret.
  secrets: (config) => [config.url, ...Object.values(config.headers), ...urlSecrets(config.url)],
  create: (config, context) => createWebhookChannel(config, { timeoutMs: context.timeoutMs }),
};
