// Schema-valid raw data -> the readonly, fully defaulted Config the rest of pulsemap sees.
import type {
  ApiExpect, Config, EmailConfig, Entity, EntityType, NotifyConfig, TelegramConfig, WebhookConfig,
} from '../types.ts';

/** Built-in values for fields neither the entity nor `defaults:` sets. */
export const BUILTIN_DEFAULTS = {
  interval: 60,
  timeout: 10,
  retry_interval: 15,
  failure_threshold: 3,
  success_threshold: 1,
} as const;

type Timing = { -readonly [K in keyof typeof BUILTIN_DEFAULTS]?: number };

// The shapes the schema guarantees; optional where the schema allows leaving a field out.
interface RawEntity extends Timing {
  type: EntityType;
  dependencies?: string[];
  group?: string;
  extra?: Record<string, string | number | boolean>;
  description?: string;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  follow_redirects?: boolean;
  expect?: { status?: number | number[]; body_contains?: string; json?: Record<string, unknown>; max_latency_ms?: number };
  host?: string;
  query?: string;
}

interface RawNotify {
  telegram?: { token: string; chat_id: string | number; api_url?: string; thread_id?: number; silent?: boolean; reminder?: number };
  webhook?: { url: string; headers?: Record<string, string> };
  email?: { host: string; port?: number; secure?: boolean; user?: string; password?: string; from?: string; to: string[] };
  degraded?: boolean;
  config_errors?: boolean;
  reminder?: number;
}

export interface RawConfig {
  title?: string;
  public_url?: string;
  defaults?: Timing;
  notify?: RawNotify;
  retention?: { raw_days?: number };
  api_token?: string;
  entities: Record<string, RawEntity>;
}

/** The URL without user name or password; other parts are kept as written. */
export function safeApiTarget(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/[^/@]*@/, '//');
  const u = new URL(url);
  if (u.username === '' && u.password === '') return url;
  u.username = '';
  u.password = '';
  return u.href;
}

/** postgres://user@host:port/db: the password goes, from the authority and from `?password=`. */
export function safeDatabaseTarget(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/([^/:@]*):[^/@]*@/, '//$1@');
  const u = new URL(url);
  u.password = '';
  for (const key of ['password', 'sslpassword']) u.searchParams.delete(key);
  return u.href;
}

function buildExpect(raw: RawEntity['expect'] = {}): ApiExpect {
  return {
    status: raw.status === undefined ? null : [raw.status].flat(),
    body_contains: raw.body_contains ?? null,
    json: raw.json ?? null,
    max_latency_ms: raw.max_latency_ms ?? null,
  };
}

function buildEntity(name: string, raw: RawEntity, defaults: Timing, line: number): Entity {
  const base = {
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
    line,
  };
  switch (raw.type) {
    case 'api':
      return {
        ...base, type: 'api', target: safeApiTarget(raw.url!), url: raw.url!, method: raw.method ?? 'GET',
        headers: { ...raw.headers }, body: raw.body ?? null, follow_redirects: raw.follow_redirects ?? true,
        expect: buildExpect(raw.expect),
      };
    case 'ping':
      return { ...base, type: 'ping', target: raw.host!, host: raw.host! };
    case 'database':
      return { ...base, type: 'database', target: safeDatabaseTarget(raw.url!), url: raw.url!, query: raw.query ?? 'select 1' };
  }
}

function buildTelegram(raw: RawNotify['telegram'], fallbackReminder: number): TelegramConfig | null {
  if (!raw) return null;
  return {
    token: raw.token,
    chat_id: String(raw.chat_id),
    api_url: (raw.api_url ?? 'https://api.telegram.org').replace(/\/+$/, ''),
    thread_id: raw.thread_id ?? null,
    silent: raw.silent ?? false,
    reminder: raw.reminder ?? fallbackReminder,
  };
}

function buildEmail(raw: RawNotify['email']): EmailConfig | null {
  if (!raw) return null;
  const secure = raw.secure ?? raw.port === 465;
  return {
    host: raw.host,
    port: raw.port ?? (secure ? 465 : 587),
    secure,
    user: raw.user ?? null,
    password: raw.password ?? null,
    from: raw.from ?? (raw.user?.includes('@') ? raw.user : `pulsemap@${raw.host}`),
    to: [...raw.to],
  };
}

function buildNotify(raw: RawNotify = {}): NotifyConfig {
  const telegram = buildTelegram(raw.telegram, raw.reminder ?? 0);
  const webhook: WebhookConfig | null = raw.webhook ? { url: raw.webhook.url, headers: { ...raw.webhook.headers } } : null;
  return {
    telegram,
    webhook,
    email: buildEmail(raw.email),
    degraded: raw.degraded ?? false,
    config_errors: raw.config_errors ?? true,
    reminder: telegram?.reminder ?? raw.reminder ?? 0,
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

/** `names` gives the entities in file order (a JS object puts integer-like keys such as `42` first). */
export function buildConfig(raw: RawConfig, path: string, names: readonly string[], lineOf: (name: string) => number): Config {
  const defaults = raw.defaults ?? {};
  return freeze({
    path,
    title: raw.title ?? 'pulsemap',
    public_url: raw.public_url ?? null,
    entities: names.map((name) => buildEntity(name, raw.entities[name]!, defaults, lineOf(name))),
    notify: buildNotify(raw.notify),
    retention: { raw_days: raw.retention?.raw_days ?? 7 },
    api_token: raw.api_token ?? null,
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
