// The alert channels. A new channel is one file and one line here (and its branch under `notify`
// in schema/entities.schema.json); channel names, the configuration's channel fields, the secrets
// list and the metrics labels all derive from this object.
import type { ChannelType } from './channel-type.ts';
import { discord } from './discord.ts';
import { email } from './email.ts';
import { matrix } from './matrix.ts';
import { ntfy } from './ntfy.ts';
import { pagerduty } from './pagerduty.ts';
import { slack } from './slack.ts';
import { telegram } from './telegram.ts';
import { webhook } from './webhook.ts';

export const CHANNEL_TYPES = {
  telegram,
  webhook,
  email,
  slack,
  discord,
  ntfy,
  matrix,
  pagerduty,
} as const;

type Registry = typeof CHANNEL_TYPES;

export type ChannelName = keyof Registry;
export type ChannelConfigOf<N extends ChannelName> = Registry[N] extends ChannelType<infer C> ? C : never;

/** One channel of `notify`: its name (the key under `notify`), its type and its configuration. */
export interface ConfiguredChannel {
  /** The name routes use (`notify: [dba]`); also the outbox and metrics label. */
  readonly name: string;
  readonly type: ChannelName;
  readonly config: unknown;
}

export const CHANNEL_NAMES = Object.keys(CHANNEL_TYPES) as ChannelName[];

/** The channel type by name; widening is safe: the registry is keyed by the same name. */
export function channelType(name: ChannelName): ChannelType<unknown> {
  return CHANNEL_TYPES[name] as ChannelType<unknown>;
}

export function isChannelName(type: unknown): type is ChannelName {
  return typeof type === 'string' && Object.hasOwn(CHANNEL_TYPES, type);
}

/** Keys of `notify:` that are settings, not channels. */
export const NOTIFY_SETTINGS: readonly string[] = ['degraded', 'config_errors', 'reminder', 'default'];

/** The channel sections of a raw `notify:` map: each key that is no setting, with its type (`type:`, else the key). */
export function rawChannels(notify: Readonly<Record<string, unknown>>): { name: string; type: unknown; section: Record<string, unknown> }[] {
  const out: { name: string; type: unknown; section: Record<string, unknown> }[] = [];
  for (const [name, section] of Object.entries(notify)) {
    if (NOTIFY_SETTINGS.includes(name) || typeof section !== 'object' || section === null || Array.isArray(section)) continue;
    const raw = section as Record<string, unknown>;
    out.push({ name, type: raw.type ?? name, section: raw });
  }
  return out;
}
