// Shared types: the domain types, plus the ones that derive from the check and channel registries.
// No logic lives here.
import type { ChannelConfigs } from './alerts/channel-registry.ts';
import type { Entity } from './checks/registry.ts';

export * from './domain.ts';
export type { Entity, EntityOf, EntityType } from './checks/registry.ts';
export type { ApiEntity } from './checks/api.ts';
export type { ApiExpect } from './checks/expect.ts';
export type { DatabaseEntity } from './checks/database.ts';
export type { PingEntity } from './checks/ping.ts';
export type { ChannelName } from './alerts/channel-registry.ts';
export type { EmailConfig } from './alerts/email.ts';
export type { TelegramConfig } from './alerts/telegram.ts';
export type { WebhookConfig } from './alerts/webhook.ts';

export type NotifyConfig = ChannelConfigs & {
  /** Announce degraded and back, and TLS certificates at 30/14/7 days left. */
  readonly degraded: boolean;
  /** Announce a rejected edit of the configuration and its fix. */
  readonly config_errors: boolean;
  /** Seconds between reminders while an entity stays in error (a channel's own setting, else notify.reminder); 0 = none. */
  readonly reminder: number;
};

export interface Config {
  /** Path of the file the configuration came from. */
  readonly path: string;
  readonly title: string;
  readonly public_url: string | null;
  /** Entities in file order. */
  readonly entities: readonly Entity[];
  readonly notify: NotifyConfig;
  readonly retention: { readonly raw_days: number };
  /** Bearer token for state-changing API calls; null disables them. */
  readonly api_token: string | null;
}
