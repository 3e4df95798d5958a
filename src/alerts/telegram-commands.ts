// Chat-ops over Telegram: with `commands: true` the bot long-polls getUpdates (outbound only, no
// inbound port) and answers /status, /ack NAME [comment] and /silence NAME|group DURATION, in
// its configured chat only: anyone elsewhere is ignored. /silence opens an ad hoc maintenance
// window, so a silence shows on the map, in GET /maintenance, and ends like any other window.
import { Api } from 'node-telegram-bot-api';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { Ack, Config, EntityState } from '../types.ts';
import type { TelegramConfig } from './telegram.ts';
import { describeError } from './telegram.ts';
import { escapeHtml, formatDuration, formatTime } from './format.ts';
import { MAX_POSTED_SECONDS } from '../maintenance/posted.ts';

/** What the commands act on: the running monitor, the alert service and the maintenance windows. */
export interface CommandTarget {
  config(): Config;
  states(): readonly EntityState[];
  acknowledge(name: string, ack: Ack): Promise<Ack | null>;
  /** Opens an ad hoc window; throws with a message a person can read when the request is wrong. */
  silence(scope: { entities?: string[]; groups?: string[] }, seconds: number, reason: string, by: string): Promise<{ id: string; end: number }>;
  now(): number;
}

const HELP = 'Commands: /status · /ack NAME [comment] · /silence NAME|group DURATION (30m, 2h, 1d)';
const MAX_ROOTS = 15;

/** `90`, `45s`, `30m`, `2h`, `1d`, `1h30m` → seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i.exec(text);
  if (!m || text === '') return null;
  const [, d, h, min, s] = m.map((x) => Number(x ?? 0));
  return d! * 86_400 + h! * 3_600 + min! * 60 + s!;
}

/** The /status answer: counts per status and the current root causes with what they block. */
export function statusText(states: readonly EntityState[], now: number): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const order = ['error', 'blocked', 'pending', 'degraded', 'maintenance', 'ok', 'unknown'];
  const summary = order.filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`).join(' · ') || 'no entities';
  const roots = states.filter((s) => s.status === 'error');
  const lines = [`<b>${states.length} entities</b>: ${escapeHtml(summary)}`];
  if (roots.length === 0) lines.push('No root cause: nothing is down.');
  else lines.push('', '<b>Root causes</b>');
  for (const root of roots.slice(0, MAX_ROOTS)) {
    const blocked = states.filter((s) => s.status === 'blocked' && s.blocked_by === root.name).length;
    const since = root.since === null ? '' : ` for ${formatDuration(now - root.since)}`;
    lines.push(`🔴 <b>${escapeHtml(root.name)}</b>${since}${blocked > 0 ? `, blocking ${blocked}` : ''}: ${escapeHtml(root.message.slice(0, 200))}`);
  }
  if (roots.length > MAX_ROOTS) lines.push(`… and ${roots.length - MAX_ROOTS} more`);
  return lines.join('\n');
}

/** Answers one command; the reply is Telegram HTML with every user text escaped. */
export async function answer(text: string, by: string, target: CommandTarget): Promise<string | null> {
  const [head = '', ...args] = text.trim().split(/\s+/);
  // `/status@pulsemap_bot` in groups with several bots.
  const command = head.toLowerCase().replace(/@.*$/, '');
  const config = target.config();
  const isEntity = (n: string) => config.entities.some((e) => e.name === n);
  switch (command) {
    case '/status':
      return statusText(target.states(), target.now());
    case '/ack': {
      const [name, ...comment] = args;
      if (!name) return 'Usage: /ack NAME [comment]';
      if (!isEntity(name)) return `No entity named <b>${escapeHtml(name)}</b>.`;
      const ack = await target.acknowledge(name, { by, at: target.now(), comment: comment.length > 0 ? comment.join(' ').slice(0, 500) : null, until: null });
      if (ack === null) return `<b>${escapeHtml(name)}</b> has no open incident to acknowledge.`;
      return `Acknowledged <b>${escapeHtml(name)}</b> (by ${escapeHtml(by)}): no reminders until it recovers.`;
    }
    case '/silence': {
      const [name, duration] = args;
      const seconds = duration === undefined ? null : parseDuration(duration);
      if (!name || seconds === null || seconds <= 0 || seconds > MAX_POSTED_SECONDS) return 'Usage: /silence NAME|group DURATION, for example /silence payments 2h (at most 30 days)';
      const scope = isEntity(name) ? { entities: [name] } : { groups: [name] };
      try {
        const window = await target.silence(scope, seconds, `silenced from Telegram by ${by}`, by);
        return `Silenced <b>${escapeHtml(name)}</b> until ${formatTime(window.end)}: a maintenance window (id ${escapeHtml(window.id)}), still checked, no alerts.`;
      } catch (err) {
        return `Cannot silence <b>${escapeHtml(name)}</b>: ${escapeHtml((err as Error).message)}`;
      }
    }
    case '/help':
    case '/start':
      return HELP;
    default:
      return command.startsWith('/') ? `Unknown command. ${HELP}` : null;
  }
}

export interface TelegramCommandsOptions {
  readonly config: TelegramConfig;
  readonly target: CommandTarget;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Seconds each getUpdates waits for news. Default 25. */
  readonly pollSeconds?: number;
}

export interface TelegramCommands {
  close(): Promise<void>;
}

/** Starts polling at once; close() aborts the request in flight and waits for the loop to end. */
export function startTelegramCommands(options: TelegramCommandsOptions): TelegramCommands {
  const { config, target } = options;
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? systemClock;
  const pollSeconds = options.pollSeconds ?? 25;
  const api = new Api(config.token, { apiRoot: config.api_url, timeoutMs: (pollSeconds + 10) * 1000, maxRetries: 0 });
  const abort = new AbortController();
  let offset: number | undefined;
  let failures = 0;

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    abort.signal.addEventListener('abort', () => { clock.clearTimeout(timer); resolve(); }, { once: true });
  });

  async function reply(text: string, replyTo: number): Promise<void> {
    await api.sendMessage({
      chat_id: config.chat_id, text, parse_mode: 'HTML',
      ...(config.thread_id === null ? {} : { message_thread_id: config.thread_id }),
      reply_parameters: { message_id: replyTo, allow_sending_without_reply: true },
      link_preview_options: { is_disabled: true },
    }, abort.signal);
  }

  async function loop(): Promise<void> {
    while (!abort.signal.aborted) {
      try {
        const updates = await api.getUpdates({ offset, timeout: pollSeconds, allowed_updates: ['message'] }, abort.signal);
        failures = 0;
        for (const update of updates) {
          offset = update.update_id + 1;
          const message = 'message' in update ? update.message : undefined;
          if (!message?.text) continue;
          // Only the configured chat may command the bot (a chat id, or @name for a public one).
          const chat = message.chat.id;
          const ours = String(chat) === config.chat_id || (message.chat.username !== undefined && `@${message.chat.username}` === config.chat_id);
          if (!ours) {
            logger.warn({ chat }, 'telegram: a command from another chat was ignored');
            continue;
          }
          const from = message.from;
          const by = from?.username ? `@${from.username}` : `telegram user ${from?.id ?? 'unknown'}`;
          const text = await answer(message.text, by, target);
          if (text === null) continue;
          logger.info({ command: message.text.split(/\s/)[0], by }, 'telegram: command answered');
          await reply(text, message.message_id);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        failures += 1;
        logger.warn({ err: describeError(err, config.token), failures }, 'telegram: polling for commands failed; trying again');
        await pause(Math.min(60_000, 1000 * 2 ** Math.min(failures - 1, 6)));
      }
    }
  }

  const done = loop();
  return {
    async close() {
      abort.abort();
      await done;
    },
  };
}

export interface ChatOps {
  /** Starts, stops or restarts pollers so that each telegram channel with `commands: true` has one. */
  onConfig(config: Config): void;
  /** Pollers running now. */
  pollers(): number;
  close(): Promise<void>;
}

/** Pollers per telegram channel with commands on, kept in line with the configuration. */
export function createChatOps(target: CommandTarget, options: { logger?: Logger; clock?: Clock; pollSeconds?: number } = {}): ChatOps {
  let running = new Map<string, TelegramCommands>();
  return {
    onConfig(config) {
      const wanted = new Map<string, TelegramConfig>();
      for (const c of config.notify.channels) {
        const tg = c.config as TelegramConfig;
        if (c.type === 'telegram' && tg.commands) wanted.set(JSON.stringify([tg.token, tg.chat_id, tg.api_url, tg.thread_id]), tg);
      }
      const next = new Map<string, TelegramCommands>();
      for (const [key, poller] of running) {
        if (wanted.has(key)) next.set(key, poller);
        else void poller.close();
      }
      for (const [key, tg] of wanted) {
        if (!next.has(key)) next.set(key, startTelegramCommands({ config: tg, target, ...options }));
      }
      running = next;
    },
    pollers: () => running.size,
    async close() {
      const all = [...running.values()];
      running = new Map();
      await Promise.all(all.map((p) => p.close()));
    },
  };
}
