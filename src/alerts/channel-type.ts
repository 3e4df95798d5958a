// The contract of an alert channel. A channel is one file that exports one ChannelType: its
// configuration shape and defaults, the rules the schema cannot express, its secrets, and the
// Channel it creates (message formatting, sending, which errors are permanent).
// src/alerts/channel-registry.ts lists them; names, secrets and metrics labels derive from there.
import type { ConfigIssue } from '../config/errors.ts';
import type { Channel } from './alert.ts';

/** A channel's section of `notify:` as the schema let it through. */
export type RawSection = Readonly<Record<string, unknown>>;

/** Settings of `notify:` itself that a channel may take its defaults from. */
export interface NotifyDefaults {
  /** `notify.reminder`, seconds; 0 = none. */
  readonly reminder: number;
}

export interface ChannelContext {
  /** The configuration's title, for subjects and headers. */
  readonly title: string;
  /** Per-request timeout; each channel has its own default. */
  readonly timeoutMs?: number;
}

export interface ChannelType<C> {
  /** Schema-valid section -> the readonly, fully defaulted channel configuration. */
  build(raw: RawSection, notify: NotifyDefaults): C;
  /** Rules beyond the schema; `at(field)` is the path of one of the section's fields. */
  validate?(raw: RawSection, at: (...field: string[]) => (string | number)[]): ConfigIssue[];
  /** Values of the configuration that must never be shown: tokens, passwords, hook URLs. */
  secrets(config: C): string[];
  create(config: C, context: ChannelContext): Channel;
  /** Whether the channel uses the title: a new title then re-creates it on reload. */
  readonly usesTitle?: boolean;
  /** Seconds between reminders this channel asks for, when it has a setting of its own. */
  reminder?(config: C): number;
}
