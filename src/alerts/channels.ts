// The channel registry: one line per channel type, building it from its part of the configuration.
import type { Config } from '../types.ts';
import type { Channel, ChannelName } from './alert.ts';
import { createEmailChannel } from './email.ts';
import { createTelegramChannel } from './telegram.ts';
import { createWebhookChannel } from './webhook.ts';

export interface ChannelTimeouts {
  readonly telegram?: number;
  readonly webhook?: number;
  readonly email?: number;
}

interface ChannelFactory {
  /** The settings the channel depends on: an unchanged section keeps the running channel. */
  section(config: Config): unknown;
  create(config: Config, timeouts: ChannelTimeouts): Channel | null;
}

const registry: { readonly [C in ChannelName]: ChannelFactory } = {
  telegram: {
    section: (c) => c.notify.telegram,
    create: (c, t) => (c.notify.telegram ? createTelegramChannel(c.notify.telegram, { timeoutMs: t.telegram }) : null),
  },
  webhook: {
    section: (c) => c.notify.webhook,
    create: (c, t) => (c.notify.webhook ? createWebhookChannel(c.notify.webhook, { timeoutMs: t.webhook }) : null),
  },
  email: {
    section: (c) => (c.notify.email ? { ...c.notify.email, title: c.title } : null),
    create: (c, t) => (c.notify.email ? createEmailChannel(c.notify.email, { title: c.title, timeoutMs: t.email }) : null),
  },
};

export interface ChannelSet {
  readonly channels: readonly Channel[];
  /** Section fingerprints, to reuse channels across reloads. */
  readonly sections: ReadonlyMap<ChannelName, string>;
}

/** The channels of `config`, reusing those of `previous` whose settings did not change. */
export function buildChannels(config: Config, previous: ChannelSet | null, timeouts: ChannelTimeouts = {}): ChannelSet {
  const channels: Channel[] = [];
  const sections = new Map<ChannelName, string>();
  for (const name of Object.keys(registry) as ChannelName[]) {
    const factory = registry[name];
    const section = factory.section(config);
    if (section === null || section === undefined) continue;
    const fingerprint = JSON.stringify(section);
    const old = previous?.channels.find((c) => c.name === name);
    const channel = old && previous?.sections.get(name) === fingerprint ? old : factory.create(config, timeouts);
    if (!channel) continue;
    channels.push(channel);
    sections.set(name, fingerprint);
  }
  return { channels, sections };
}
