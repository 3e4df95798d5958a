// Email over SMTP through nodemailer: the same message as plain text and HTML, one mail per alert.
import nodemailer from 'nodemailer';
import type { EmailConfig } from '../types.ts';
import type { Alert, Channel } from './alert.ts';
import { DeliveryError } from './alert.ts';
import { emailHtml, emailSubject, plainText } from './format.ts';

export interface EmailChannelOptions {
  /** Shown in the subject: `[title] fold_db is down`. */
  readonly title: string;
  /** Connection, greeting and socket timeouts. Default 15 s. */
  readonly timeoutMs?: number;
}

interface EmailPayload {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function createEmailChannel(config: EmailConfig, options: EmailChannelOptions): Channel {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user === null ? undefined : { user: config.user, pass: config.password ?? '' },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  const hide = (text: string): string => (config.password ? text.split(config.password).join('***') : text);

  return {
    name: 'email',
    envelopes: (alert: Alert) => {
      const payload: EmailPayload = {
        subject: emailSubject(alert, options.title),
        text: plainText(alert),
        html: emailHtml(alert, options.title),
      };
      return [{ key: `${alert.key}:email`, payload: JSON.stringify(payload) }];
    },
    async send(payload, signal) {
      const mail = JSON.parse(payload) as EmailPayload;
      signal.throwIfAborted();
      try {
        await transport.sendMail({ from: config.from, to: [...config.to], ...mail });
      } catch (err) {
        const e = err as Error & { code?: string; responseCode?: number };
        const code = e.code && !String(e.message).includes(e.code) ? ` (${e.code})` : '';
        throw new DeliveryError(`email: ${hide(e.message ?? String(err))}${code}`);
      }
    },
    close: async () => transport.close(),
  };
}
