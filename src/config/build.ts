// Schema-valid raw data -> the readonly, fully defaulted Config the rest of pulsemap sees.
import type { Config, Entity, EntityType, FlapSettings, GroupConfig, NotifyConfig } from '../types.ts';
import { DEFAULT_FLAP } from '../monitor/flapping.ts';
import type { BaseFields } from '../checks/check-type.ts';
import { checkType } from '../checks/registry.ts';
import { channelType, rawChannels } from '../alerts/channel-registry.ts';
import type { ChannelName, ConfiguredChannel } from '../alerts/channel-registry.ts';
import { buildAuth } from '../auth/config.ts';
import type { RawAuth } from '../auth/config.ts';
import { buildPublishing } from './publishing.ts';
import type { RawPublishing } from './publishing.ts';
import { buildMaintenance } from '../maintenance/config.ts';
import type { RawMaintenance } from '../maintenance/config.ts';
import { buildPlacement, buildProbes } from '../probes/config.ts';
import type { RawProbes } from '../probes/config.ts';

/** Built-in values for fields neither the entity nor `defaults:` sets. */
export const BUILTIN_DEFAULTS = {
  interval: 60,
  timeout: 10,
  retry_interval: 15,
  failure_threshold: 3,
  success_threshold: 1,
} as const;

type Timing = { -readonly [K in keyof typeof BUILTIN_DEFAULTS]?: number } & { flapping?: RawFlap };

/** `flapping:` as written: on with Icinga's thresholds, off, or thresholds of one's own. */
type RawFlap = boolean | { low?: number; high?: number };

function buildFlap(raw: RawFlap | undefined): FlapSettings | null {
  if (raw === undefined || raw === false) return null;
  if (raw === true) return DEFAULT_FLAP;
  return { low: raw.low ?? DEFAULT_FLAP.low, high: raw.high ?? DEFAULT_FLAP.high };
}

// The shapes the schema guarantees; optional where the schema allows leaving a field out. Each
// check type and channel reads its own fields (see their `build`).
interface RawEntity extends Timing {
  type: EntityType;
  dependencies?: string[];
  group?: string;
  extra?: Record<string, string | number | boolean>;
  description?: string;
  notify?: string[];
  locations?: string[];
  quorum?: number;
  [field: string]: unknown;
}

/** Settings, and channels by name (each with `type:`, or named after its type). */
type RawNotify = {
  degraded?: boolean;
  config_errors?: boolean;
  reminder?: number;
  default?: string[];
  [channel: string]: unknown;
};

export interface RawConfig extends RawPublishing {
  title?: string;
  public_url?: string;
  cluster?: { name: string; lease?: number };
  heartbeat_url?: string;
  heartbeat_interval?: number;
  defaults?: Timing;
  notify?: RawNotify;
  groups?: Record<string, { notify?: string[] }>;
  retention?: { raw_days?: number };
  api_token?: string;
  auth?: RawAuth;
  map?: { max_entities?: number };
  checks?: { max_in_flight?: number };
  maintenance?: RawMaintenance[];
  probes?: RawProbes;
  entities: Record<string, RawEntity>;
}

/** An entity's fields as written, before `${VAR}` substitution (for probes, which expand them themselves). */
export type WrittenEntity = (name: string) => Record<string, unknown> | undefined;

function buildEntity(name: string, raw: RawEntity, defaults: Timing, line: number, written: WrittenEntity): Entity {
  const base: BaseFields = {
    name,
    interval: raw.interval ?? defaults.interval ?? BUILTIN_DEFAULTS.interval,
    timeout: raw.timeout ?? defaults.timeout ?? BUILTIN_DEFAULTS.timeout,
    retry_interval: raw.retry_interval ?? defaults.retry_interval ?? BUILTIN_DEFAULTS.retry_interval,
    failure_threshold: raw.failure_threshold ?? defaults.failure_threshold ?? BUILTIN_DEFAULTS.failure_threshold,
    success_threshold: raw.success_threshold ?? defaults.success_threshold ?? BUILTIN_DEFAULTS.success_threshold,
    dependencies: [...(raw.dependencies ?? [])],
    group: raw.group ?? null,
    extra: { ...raw.extra },
    description: raw.description ?? null,
    notify: raw.notify ? [...raw.notify] : null,
    flapping: buildFlap(raw.flapping ?? defaults.flapping),
    placement: buildPlacement(raw, raw.locations ? written(name) : undefined),
    line,
  };
  return checkType(raw.type).build(raw, base);
}

function buildNotify(raw: RawNotify = {}): NotifyConfig {
  const defaults = { reminder: raw.reminder ?? 0 };
  const channels: ConfiguredChannel[] = [];
  let reminder: number | undefined;
  for (const { name, type: typeName, section } of rawChannels(raw)) {
    const type = channelType(typeName as ChannelName);
    const built = type.build(section, defaults);
    channels.push({ name, type: typeName as ChannelName, config: built });
    // The first channel with a reminder setting of its own decides; else notify.reminder.
    if (reminder === undefined) reminder = type.reminder?.(built);
  }
  return {
    channels,
    default: raw.default ? [...raw.default] : null,
    degraded: raw.degraded ?? false,
    config_errors: raw.config_errors ?? true,
    reminder: reminder ?? defaults.reminder,
  };
}

/** Deep-freezes, so no later stage can change what was validated. */
function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freeze(v);
  }
  return value;
}

/** Checks in flight at once by default: see `checks.max_in_flight` in the README. */
export const DEFAULT_MAX_IN_FLIGHT = 1000;

/** `names` gives the entities in file order (a JS object puts integer-like keys such as `42` first). */
export function buildConfig(raw: RawConfig, path: string, names: readonly string[], lineOf: (name: string) => number, written: WrittenEntity = () => undefined): Config {
  const defaults = raw.defaults ?? {};
  return freeze({
    path,
    title: raw.title ?? 'pulsemap',
    public_url: raw.public_url ?? null,
    cluster: raw.cluster ? { name: raw.cluster.name, lease: raw.cluster.lease ?? 10 } : null,
    heartbeat: { url: raw.heartbeat_url ?? null, interval: raw.heartbeat_interval ?? 60 },
    entities: names.map((name) => buildEntity(name, raw.entities[name]!, defaults, lineOf(name), written)),
    notify: buildNotify(raw.notify),
    groups: Object.fromEntries(Object.entries(raw.groups ?? {}).map(([path, g]): [string, GroupConfig] =>
      [path, { notify: g.notify ? [...g.notify] : null }])),
    retention: { raw_days: raw.retention?.raw_days ?? 7 },
    api_token: raw.api_token ?? null,
    auth: buildAuth(raw.auth, raw.api_token ?? null),
    map: { max_entities: raw.map?.max_entities ?? 60 },
    checks: { max_in_flight: raw.checks?.max_in_flight ?? DEFAULT_MAX_IN_FLIGHT },
    ...buildPublishing(raw),
    maintenance: buildMaintenance(raw.maintenance),
    probes: buildProbes(raw.probes),
  });
}

/** Stable JSON (sorted keys) of one value, for comparisons that must not depend on key order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Everything about an entity that affects how it is checked or drawn. `line` is left out: adding
 * an entity above another moves it in the file without changing it, and must not reset its timers.
 */
export function configFingerprint(entity: Entity): string {
  const { line: _line, ...rest } = entity;
  return stable(rest);
}
