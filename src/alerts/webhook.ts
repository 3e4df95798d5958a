// Webhook: one JSON document per alert item, POSTed with the configured headers. Receivers are
// programs, so a batch is split back into its events; each keeps the flat documented shape.
import { request } from 'undici';
import { urlIssue } from '../config/rules.ts';
import { urlSecrets } from '../secrets.ts';
import type { Alert, Channel } from './alert.ts';
import { DeliveryError } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { webhookDocument } from './format.ts';

export interface WebhookConfig {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface WebhookChannelOptions {
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

/** Seconds or an HTTP date, as in `Retry-After`; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function createWebhookChannel(config: WebhookConfig, options: WebhookChannelOptions = {}): Channel {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: 'webhook',
    envelopes: (alert: Alert) =>
      alert.items.map((item) => ({ key: `${item.key}:webhook`, payload: JSON.stringify(webhookDocument(item)) })),
    async send(payload, signal) {
      let response;
      try {
        response = await request(config.url, {
          method: 'POST',
          headers: {
            'user-agent': options.userAgent ?? 'pulsemap',
            ...config.headers,
            'content-type': 'application/json',
          },
          body: payload,
          // Covers connecting too, which undici's own timeouts do not.
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new DeliveryError(`webhook: ${err instanceof Error ? err.message : String(err)}${code ? ` (${code})` : ''}`);
      }
      // Nothing of the answer is needed; read at most a little so the connection can be reused.
      await response.body.dump({ limit: 64 * 1024 }).catch(() => {});
      if (response.statusCode >= 200 && response.statusCode < 300) return;
      const wait = response.statusCode === 429 || response.statusCode === 503
        ? retryAfterMs(response.headers['retry-after'], Date.now())
        : null;
      throw new DeliveryError(`webhook: HTTP ${response.statusCode}`, { retryAfterMs: wait });
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
