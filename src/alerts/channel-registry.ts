// The alert channels. A new channel is one file and one line here (and its branch under `notify`
// in schema/entities.schema.json); channel names, the configuration's channel fields, the secrets
// list and the metrics labels all derive from this object.
import type { ChannelType } from './channel-type.ts';
import { email } from './email.ts';
import { telegram } from './telegram.ts';
import { webhook } from './webhook.ts';

export const CHANNEL_TYPES = {
  telegram,
  webhook,
  email,
} as const;

type Registry = typeof CHANNEL_TYPES;

export type ChannelName = keyof Registry;
export type ChannelConfigOf<N extends ChannelName> = Registry[N] extends ChannelType<infer C> ? C : never;
/** One field per channel in `notify`: its configuration, or null when it is not set up. */
export type ChannelConfigs = { readonly [N in ChannelName]: ChannelConfigOf<N> | null };

export const CHANNEL_NAMES = Object.keys(CHANNEL_TYPES) as ChannelName[];

/** The channel type by name; widening is safe: the registry is keyed by the same name. */
export function channelType(name: ChannelName): ChannelType<unknown> {
  return CHANNEL_TYPES[name] as ChannelType<unknown>;
}
