// Email over SMTP through nodemailer: the same message as plain text and HTML, one mail per alert.
import type { Transporter } from 'nodemailer';
import { scrub } from '../secrets.ts';
import type { Alert, Channel } from './alert.ts';
import { DeliveryError } from './alert.ts';
import type { ChannelType } from './channel-type.ts';
import { emailHtml, emailSubject, plainText } from './format.ts';

export interface EmailConfig {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly user: string | null;
  readonly password: string | null;
  readonly from: string;
  readonly to: readonly string[];
}

interface RawEmail {
  host: string;
  port?: number;
  secure?: boolean;
  user?: string;
  password?: string;
  from?: string;
  to: string[];
}

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
  // nodemailer is loaded with the first mail: a service that never sends one never holds it.
  let transport: Promise<Transporter> | null = null;
  const transporter = () => transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user === null ? undefined : { user: config.user, pass: config.password ?? '' },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  }));
  const hide = (text: string): string => scrub(text, config.password ? [config.password] : []);

  return {
    name: 'email',
    oneFollowUp: true,
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
        await (await transporter()).sendMail({ from: config.from, to: [...config.to], ...mail });
      } catch (err) {
        const e = err as Error & { code?: string; responseCode?: number };
        const code = e.code && !String(e.message).includes(e.code) ? ` (${e.code})` : '';
        throw new DeliveryError(`email: ${hide(e.message ?? String(err))}${code}`);
      }
    },
    close: async () => { (await transport?.catch(() => null))?.close(); },
  };
}

export const email: ChannelType<EmailConfig> = {
  build(section) {
    const raw = section as unknown as RawEmail;
    const secure = raw.secure ?? raw.port === 465;
    return {
      host: raw.host,
      port: raw.port ?? (secure ? 465 : 587),
      secure,
      user: raw.user ?? null,
      password: raw.password ?? null,
      from: raw.from ?? (raw.user?.includes('@') ? raw.user : `pulsemap@${raw.host}`),
      to: [...raw.to],
    };
  },
  secrets: (config) => (config.password ? [config.password] : []),
  create: (config, context) => createEmailChannel(config, { title: context.title, timeoutMs: context.timeoutMs }),
  usesTitle: true,
};
