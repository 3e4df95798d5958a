// Telegram through node-telegram-bot-api's bare Api client: sendMessage, and editMessageText to
// complete a root cause's message with entities confirmed impacted after it went out.
// Its own retries are off (they sleep up to a minute on a 429); the outbox owns retries.
import { Api, TelegramApiError, TelegramBotError } from 'node-telegram-bot-api';
import { urlIssue } from '../config/rules.ts';
import { scrub } from '../secrets.ts';
import type { Alert, AlertItem, Channel } from './alert.ts';
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

/** A message this process sent: its id, and the items it shows (re-rendered by edits). */
interface SentMessage {
  readonly message_id: number;
  readonly items: readonly AlertItem[];
}

export function createTelegramChannel(config: TelegramConfig, options: TelegramChannelOptions = {}): Channel {
  const api = new Api(config.token, {
    apiRoot: config.api_url,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: 0,
  });
  const own = new Map<string, unknown>();

  /** Sends a new message; remembers it under each root it announces, for later edits. */
  async function sendNew(text: string, items: readonly AlertItem[], memo: Map<string, unknown>, signal: AbortSignal): Promise<void> {
    const sent = await api.sendMessage(
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
    for (const i of items) {
      const root = i.event === 'down' ? i.key : i.event === 'impacted' ? i.update?.down_key : undefined;
      if (root !== undefined) memo.set(root, { message_id: sent.message_id, items } satisfies SentMessage);
    }
  }

  /** Completes the message that announced the root: the same text with the longer Impacted list. */
  async function edit(update: AlertItem, memo: Map<string, unknown>, signal: AbortSignal): Promise<void> {
    const root = update.update!.down_key;
    const sent = memo.get(root) as SentMessage | undefined;
    // Not sent by this process (restarted since, or sent to this chat before it was routed here):
    // one new message with the update's own wording, which later updates then edit.
    if (!sent) return sendNew(telegramText({ key: update.key, items: [update] }), [update], memo, signal);
    const items = sent.items.map((i) => (i.key === root || (i.event === 'impacted' && i.update?.down_key === root) ? { ...i, impacted: update.impacted } : i));
    try {
      await api.editMessageText(
        { chat_id: config.chat_id, message_id: sent.message_id, text: telegramText({ key: root, items }), parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
        signal,
      );
    } catch (err) {
      // The same text again (a retry after the edit went through) is not a failure.
      if (!(err instanceof TelegramApiError && /message is not modified/i.test(err.description))) throw err;
    }
    memo.set(root, { ...sent, items });
  }

  return {
    name: 'telegram',
    envelopes: (alert: Alert) => {
      // An `impacted` update edits the root's message: an envelope of its own. The rest is one new message.
      const updates = alert.items.filter((i) => i.event === 'impacted' && i.update !== undefined);
      const rest = alert.items.filter((i) => !updates.includes(i));
      return [
        ...(rest.length === 0 ? [] : [{ key: `${alert.key}:telegram`, payload: JSON.stringify({ text: telegramText({ ...alert, items: rest }), items: rest }) }]),
        ...updates.map((u) => ({ key: `${u.key}:telegram`, payload: JSON.stringify({ edit: u }) })),
      ];
    },
    async send(payload, signal, memo = own) {
      const parsed = JSON.parse(payload) as { text: string; items?: AlertItem[] } | { edit: AlertItem };
      try {
        if ('edit' in parsed) await edit(parsed.edit, memo, signal);
        else await sendNew(parsed.text, parsed.items ?? [], memo, signal);
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
