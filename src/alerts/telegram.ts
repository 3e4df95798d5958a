// Telegram through node-telegram-bot-api's bare Api client: sendMessage only, never polling.
// Its own retries are off (they sleep up to a minute on a 429); the outbox owns retries.
import { Api, TelegramApiError, TelegramBotError } from 'node-telegram-bot-api';
import { urlIssue } from '../config/rules.ts';
import { scrub } from '../secrets.ts';
import type { Alert, Channel } from './alert.ts';
import { DeliveryError } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { telegramText } from './format.ts';

export interface TelegramConfig {
  readonly token: string;
  readonly chat_id: string;
  readonly api_url: string;
  readonly thread_id: number | null;
  readonly silent: boolean;
  /** Seconds between reminders while an entity stays in error; 0 = none. */
  readonly reminder: number;
  /** Chat-ops: answer /status, /ack and /silence from this chat (src/alerts/telegram-commands.ts). */
  readonly commands: boolean;
}

interface RawTelegram {
  token: string;
  chat_id: string | number;
  api_url?: string;
  thread_id?: number;
  silent?: boolean;
  reminder?: number;
  commands?: boolean;
}

export interface TelegramChannelOptions {
  /** Per-request timeout. Default 30 s. */
  readonly timeoutMs?: number;
}

/** Rejections that no retry can fix because the text itself is wrong. */
const MESSAGE_REJECTED = /can't parse entities|message is too long|text must be non-empty|message text is empty/i;

/** The error and its causes, one after another, without the bot token. */
export function describeError(err: unknown, token: string): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      // System codes (ECONNRESET...) say what happened; the library's own (ETELEGRAM) do not.
      const code = current instanceof TelegramBotError ? undefined : (current as NodeJS.ErrnoException).code;
      const useful = typeof code === 'string' && !current.message.includes(code);
      parts.push(useful ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  // The library's URLs carry the token (`/bot<token>/sendMessage`): never let it out.
  return scrub(parts.join(': '), [token]);
}

export function createTelegramChannel(config: TelegramConfig, options: TelegramChannelOptions = {}): Channel {
  const api = new Api(config.token, {
    apiRoot: config.api_url,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: 0,
  });
  return {
    name: 'telegram',
    envelopes: (alert: Alert) => [{ key: `${alert.key}:telegram`, payload: JSON.stringify({ text: telegramText(alert) }) }],
    async send(payload, signal) {
      const { text } = JSON.parse(payload) as { text: string };
      try {
        await api.sendMessage(
          {
            chat_id: config.chat_id,
            text,
            parse_mode: 'HTML',
            ...(config.thread_id === null ? {} : { message_thread_id: config.thread_id }),
            disable_notification: config.silent,
            link_preview_options: { is_disabled: true },
          },
          signal,
        );
      } catch (err) {
        if (err instanceof TelegramApiError) {
          const retryAfter = err.errorCode === 429 ? (err.retryAfter ?? 1) : null;
          throw new DeliveryError(`telegram: ${describeError(err, config.token)}`, {
            retryAfterMs: retryAfter === null ? null : retryAfter * 1000,
            permanent: err.errorCode === 400 && MESSAGE_REJECTED.test(err.description),
          });
        }
        throw new DeliveryError(`telegram: ${describeError(err, config.token)}`);
      }
    },
    close: async () => {},
  };
}

export const telegram: ChannelType<TelegramConfig> = {
  build(section, notify) {
    const raw = section as unknown as RawTelegram;
    return {
      token: raw.token,
      chat_id: String(raw.chat_id),
      api_url: (raw.api_url ?? 'https://api.telegram.org').replace(/\/+$/, ''),
      thread_id: raw.thread_id ?? null,
      silent: raw.silent ?? false,
      reminder: raw.reminder ?? notify.reminder,
      commands: raw.commands ?? false,
    };
  },
  validate: (raw, at) => urlIssue(raw.api_url, at('api_url')),
  secrets: (config) => [config.token],
  create: (config, context) => createTelegramChannel(config, { timeoutMs: context.timeoutMs }),
  reminder: (config) => config.reminder,
};
