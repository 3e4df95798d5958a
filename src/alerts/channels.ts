// The running channels of a configuration, built through the channel registry under their names.
import type { Config } from '../types.ts';
import type { Channel } from './alert.ts';
import { channelType } from './channel-registry.ts';
import type { ChannelName, ConfiguredChannel } from './channel-registry.ts';

/** Per-request timeouts by channel type (tests shorten them). */
export type ChannelTimeouts = { readonly [N in ChannelName]?: number };

export interface ChannelSet {
  readonly channels: readonly Channel[];
  /** Section fingerprints by channel name, to reuse channels across reloads. */
  readonly sections: ReadonlyMap<string, string>;
}

/** Names of the channels `config` sets up, in file order. */
export function configuredChannels(config: Config): string[] {
  return config.notify.channels.map((c) => c.name);
}

/**
 * A channel under its configured name. One named after its type (`notify: { telegram: ... }`)
 * keeps the type's outbox keys; another gets its name in them, so two channels of one type
 * never share a key.
 */
function named(channel: Channel, configured: ConfiguredChannel): Channel {
  if (configured.name === configured.type) return channel;
  return {
    name: configured.name,
    envelopes: (alert) => channel.envelopes(alert).map((e) => ({ key: `${e.key}@${configured.name}`, payload: e.payload })),
    send: (payload, signal) => channel.send(payload, signal),
    close: () => channel.close(),
  };
}

/** The channels of `config`, reusing those of `previous` whose settings did not change. */
export function buildChannels(config: Config, previous: ChannelSet | null, timeouts: ChannelTimeouts = {}): ChannelSet {
  const channels: Channel[] = [];
  const sections = new Map<string, string>();
  for (const configured of config.notify.channels) {
    const type = channelType(configured.type);
    const { name, config: section } = configured;
    const fingerprint = JSON.stringify({ type: configured.type, section, title: type.usesTitle ? config.title : null });
    const old = previous?.channels.find((c) => c.name === name);
    const channel = old && previous?.sections.get(name) === fingerprint
      ? old
      : named(type.create(section, { title: config.title, timeoutMs: timeouts[configured.type] }), configured);
    channels.push(channel);
    sections.set(name, fingerprint);
  }
  return { channels, sections };
}
