// The running channels of a configuration, built through the channel registry.
import type { Config } from '../types.ts';
import type { Channel } from './alert.ts';
import { CHANNEL_NAMES, channelType } from './channel-registry.ts';
import type { ChannelName } from './channel-registry.ts';

/** Per-request timeouts by channel (tests shorten them). */
export type ChannelTimeouts = { readonly [N in ChannelName]?: number };

export interface ChannelSet {
  readonly channels: readonly Channel[];
  /** Section fingerprints, to reuse channels across reloads. */
  readonly sections: ReadonlyMap<ChannelName, string>;
}

/** Names of the channels `config` sets up, in registry order. */
export function configuredChannels(config: Config): ChannelName[] {
  return CHANNEL_NAMES.filter((name) => config.notify[name] !== null);
}

/** The channels of `config`, reusing those of `previous` whose settings did not change. */
export function buildChannels(config: Config, previous: ChannelSet | null, timeouts: ChannelTimeouts = {}): ChannelSet {
  const channels: Channel[] = [];
  const sections = new Map<ChannelName, string>();
  for (const name of configuredChannels(config)) {
    const type = channelType(name);
    const section = config.notify[name];
    const fingerprint = JSON.stringify(type.usesTitle ? { section, title: config.title } : section);
    const old = previous?.channels.find((c) => c.name === name);
    const channel = old && previous?.sections.get(name) === fingerprint
      ? old
      : type.create(section, { title: config.title, timeoutMs: timeouts[name] });
    channels.push(channel);
    sections.set(name, fingerprint);
  }
  return { channels, sections };
}
