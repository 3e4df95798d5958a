// Shared types: the domain types, plus the ones that derive from the check and channel registries.
// No logic lives here.
import type { ConfiguredChannel } from './alerts/channel-registry.ts';
import type { Entity } from './checks/registry.ts';
import type { AuthConfig } from './auth/types.ts';
import type { MaintenanceWindow } from './domain.ts';
import type { ProbeSite } from './probes/config.ts';

export * from './domain.ts';
export type { Entity, EntityOf, EntityType } from './checks/registry.ts';
export type { ApiEntity } from './checks/api.ts';
export type { ApiExpect } from './checks/expect.ts';
export type { DatabaseEntity } from './checks/database.ts';
export type { PingEntity } from './checks/ping.ts';
export type { ChannelName, ConfiguredChannel } from './alerts/channel-registry.ts';
export type { EmailConfig } from './alerts/email.ts';
export type { TelegramConfig } from './alerts/telegram.ts';
export type { WebhookConfig } from './alerts/webhook.ts';

export interface NotifyConfig {
  /** The channels, in file order. */
  readonly channels: readonly ConfiguredChannel[];
  /** `notify.default`: channels for entities and groups that name none; null = every channel. */
  readonly default: readonly string[] | null;
  /** Announce degraded and back, and TLS certificates at 30/14/7 days left. */
  readonly degraded: boolean;
  /** Announce a rejected edit of the configuration and its fix. */
  readonly config_errors: boolean;
  /** Seconds between reminders while an entity stays in error (a channel's own setting, else notify.reminder); 0 = none. */
  readonly reminder: number;
}

/** Settings of one group (`groups:`), for its entities and subgroups. */
export interface GroupConfig {
  /** Channels for the group's entities that name none; null = the enclosing group's. */
  readonly notify: readonly string[] | null;
}

export interface Config {
  /** Path of the file the configuration came from. */
  readonly path: string;
  readonly title: string;
  readonly public_url: string | null;
  /** `cluster:`: several instances share one PostgreSQL store; null runs alone. */
  readonly cluster: ClusterConfig | null;
  /** `heartbeat_url` and `heartbeat_interval` (seconds): the dead man's switch the alerter calls. */
  readonly heartbeat: { readonly url: string | null; readonly interval: number };
  /** Entities in file order. */
  readonly entities: readonly Entity[];
  readonly notify: NotifyConfig;
  /** `groups:` by group path. */
  readonly groups: Readonly<Record<string, GroupConfig>>;
  readonly retention: { readonly raw_days: number };
  /** Bearer token for state-changing API calls; null disables them. */
  readonly api_token: string | null;
  /** Login and roles (`auth:`). */
  readonly auth: AuthConfig;
  /** The whole map is drawn up to this many entities; beyond, the overview is the default view. */
  readonly map: { readonly max_entities: number };
  /** How many checks may run at once; more due wait in line (default DEFAULT_MAX_IN_FLIGHT). */
  readonly checks: { readonly max_in_flight: number };
  /** Public status pages, in file order. */
  readonly status_pages: readonly StatusPage[];
  /** Announcements written in the file (those posted through the API live in the store). */
  readonly announcements: readonly Announcement[];
  /** Which entities and groups have badges: those a status page lists, or all. */
  readonly badges: 'listed' | 'all';
  /** Maintenance windows written in the file (those posted through the API live in the store). */
  readonly maintenance: readonly MaintenanceWindow[];
  /** `probes:`: the sites whose probes may fetch assignments and send results, in file order. */
  readonly probes: readonly ProbeSite[];
}

export interface ClusterConfig {
  readonly name: string;
  /** Seconds an instance may go without renewing its lease before it stands down. */
  readonly lease: number;
}

export interface StatusPage {
  readonly slug: string;
  readonly title: string;
  readonly description: string | null;
  readonly entities: readonly string[];
  readonly groups: readonly string[];
  readonly show_latency: boolean;
  readonly show_map: boolean;
}

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Announcement {
  /** `config-N` for the file's N-th (from 1), a random id for posted ones. */
  readonly id: string;
  readonly title: string;
  /** Plain text. */
  readonly body: string;
  readonly severity: Severity;
  /** Epoch ms; null: no bound. */
  readonly start: number | null;
  readonly end: number | null;
  /** Slugs of the status pages it appears on; null: every page. */
  readonly pages: readonly string[] | null;
}
