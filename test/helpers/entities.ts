// Builders for fully defaulted entities, for tests that do not go through the YAML loader.
import type { ApiEntity, ChannelName, Config, Entity, EntityOf, EntityType, NotifyConfig, PingEntity } from '../../src/types.ts';
import { buildAuth } from '../../src/auth/config.ts';
import { checkType } from '../../src/checks/registry.ts';

type Common = Partial<Omit<PingEntity, 'type' | 'name' | 'dependencies'>>;

const base = (name: string, dependencies: string[]) => ({
  name, dependencies, interval: 60, timeout: 10, retry_interval: 15, failure_threshold: 3, success_threshold: 1,
  group: null, extra: {}, line: 1,
});

export function pingEntity(name: string, dependencies: string[] = [], over: Common = {}): PingEntity {
  return { ...base(name, dependencies), type: 'ping', host: '127.0.0.1', target: '127.0.0.1', ...over };
}

export function apiEntity(name: string, url: string, dependencies: string[] = [], over: Partial<Omit<ApiEntity, 'type' | 'name'>> = {}): ApiEntity {
  return {
    ...base(name, dependencies), type: 'api', url, target: url, method: 'GET', headers: {}, body: null,
    follow_redirects: true, expect: { status: null, body_contains: null, json: null, max_latency_ms: null }, ...over,
  };
}

export function configOf(entities: Entity[], over: Partial<Config> = {}): Config {
  return {
    path: 'entities.yaml', title: 'test', public_url: null, cluster: null, heartbeat: { url: null, interval: 60 }, entities,
    notify: notifyOf({}), groups: {},
    retention: { raw_days: 7 }, api_token: null, auth: buildAuth(undefined, over.api_token ?? null),
    map: { max_entities: 60 }, checks: { max_in_flight: 1000 }, status_pages: [], announcements: [], badges: 'listed', maintenance: [], probes: [], ...over,
  };
}

/** Channels named after their type (`{ telegram: config }`, null = absent) and settings -> NotifyConfig. */
export function notifyOf(sections: { readonly [N in ChannelName]?: unknown } & Partial<NotifyConfig>): NotifyConfig {
  const { channels, degraded, config_errors, reminder, default: routes, ...byType } = sections as Partial<NotifyConfig> & Record<string, unknown>;
  const typed = Object.entries(byType).filter(([, c]) => c !== null && c !== undefined)
    .map(([type, config]) => ({ name: type, type: type as ChannelName, config }));
  return {
    channels: [...typed, ...(channels ?? [])],
    default: routes ?? null,
    degraded: degraded ?? false,
    config_errors: config_errors ?? true,
    reminder: reminder ?? 0,
  };
}

/**
 * An entity of any type built by its own check type from YAML-like fields, as the loader does.
 * Timing fields in `fields` (timeout, interval...) override the test defaults.
 */
export function entityOf<T extends EntityType>(type: T, name: string, fields: Record<string, unknown>): EntityOf<T> {
  const TIMING = ['interval', 'timeout', 'retry_interval', 'failure_threshold', 'success_threshold'];
  const timing = Object.fromEntries(Object.entries(fields).filter(([k]) => TIMING.includes(k)));
  return checkType(type).build(fields, { ...base(name, []), ...timing, description: null }) as EntityOf<T>;
}
