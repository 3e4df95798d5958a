// Public status pages and badges: built from the running configuration, current states and the
// store's series, and kept for a few seconds so anonymous traffic costs at most one build per
// page or badge per interval.
import type { Monitor } from '../monitor/monitor.ts';
import type { Store } from '../store/store.ts';
import { loadSeries } from '../series/load.ts';
import type { Series } from '../series/load.ts';
import { groupMembers } from '../series/members.ts';
import { WINDOWS } from '../series/windows.ts';
import type { WindowName } from '../series/windows.ts';
import { HOUR_MS, hourStart, round4 } from '../store/encoding.ts';
import type { Announcements } from './announcements.ts';
import { buildStatusView, PUBLIC, PUBLIC_LABELS, worstState } from './view.ts';
import type { PublicStatus, StatusView } from './view.ts';
import { latencyColour, renderBadge, uptimeColour } from './badge.ts';
import type { BadgeColour } from './badge.ts';

export type BadgeSubject = { readonly kind: 'entity' | 'group'; readonly name: string };
export type BadgeKind = { readonly what: 'status' } | { readonly what: 'latency' } | { readonly what: 'uptime'; readonly window: WindowName };

export interface StatusService {
  /** null when no page has that slug. */
  view(slug: string): Promise<StatusView | null>;
  /** The badge's SVG; null when the subject does not exist or may not have a badge. */
  badge(subject: BadgeSubject, kind: BadgeKind): Promise<string | null>;
}

export interface StatusServiceOptions {
  readonly monitor: Monitor;
  readonly store: Store;
  readonly announcements: Announcements;
  readonly now: () => number;
  /** How long a built page or badge is served before it is built again; default 15 s. */
  readonly ttlMs?: number;
}

const STATUS_COLOUR: Readonly<Record<PublicStatus, BadgeColour>> = { operational: 'green', degraded: 'yellow', outage: 'red', maintenance: 'blue', no_data: 'grey' };

export function createStatusService(o: StatusServiceOptions): StatusService {
  const ttl = o.ttlMs ?? 15_000;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();

  function cached<T>(key: string, build: () => Promise<T>): Promise<T> {
    const now = o.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < ttl) return hit.value as Promise<T>;
    // Drop what has expired so the cache holds at most one interval's worth of keys.
    for (const [k, v] of cache) if (now - v.at >= ttl) cache.delete(k);
    const value = build();
    cache.set(key, { at: now, value });
    value.catch(() => cache.delete(key));
    return value;
  }

  const members = (group: string) => groupMembers(o.monitor.config().entities, group);
  const namesOf = (s: BadgeSubject): string[] => (s.kind === 'entity' ? (o.monitor.entity(s.name) ? [s.name] : []) : members(s.name));

  function allowed(s: BadgeSubject): boolean {
    const config = o.monitor.config();
    if (namesOf(s).length === 0) return false;
    if (config.badges === 'all') return true;
    return config.status_pages.some((p) => (s.kind === 'entity' ? p.entities : p.groups).includes(s.name));
  }

  /** Passed checks and average latency over the hour buckets of the last `length` ms. */
  async function summary(names: readonly string[], length: number): Promise<{ uptime: number | null; latency: number | null }> {
    const now = o.now();
    const hours = (await Promise.all(names.map((n) => o.store.hoursBetween(n, hourStart(now - length), now + 1, length + HOUR_MS)))).flat();
    const checks = hours.reduce((n, h) => n + h.checks, 0);
    const ok = hours.reduce((n, h) => n + h.successes, 0);
    const count = hours.reduce((n, h) => n + h.latency_count, 0);
    const sum = hours.reduce((n, h) => n + h.latency_sum, 0);
    return { uptime: checks === 0 ? null : round4(ok / checks), latency: count === 0 ? null : Math.round(sum / count) };
  }

  async function buildBadge(s: BadgeSubject, kind: BadgeKind): Promise<string> {
    const names = namesOf(s);
    if (kind.what === 'status') {
      const status = PUBLIC[worstState(names.map((n) => o.monitor.state(n)))?.status ?? 'unknown'];
      return renderBadge(s.name, PUBLIC_LABELS[status].toLowerCase(), STATUS_COLOUR[status]);
    }
    if (kind.what === 'latency') {
      const { latency } = await summary(names, 24 * HOUR_MS);
      return renderBadge(`${s.name} 24h`, latency === null ? 'no data' : `${latency} ms`, latencyColour(latency));
    }
    const { uptime } = await summary(names, WINDOWS[kind.window].length);
    const text = uptime === null ? 'no data' : `${(uptime * 100).toFixed(uptime >= 0.9995 && uptime < 1 ? 3 : 2)}%`;
    return renderBadge(`${s.name} ${kind.window}`, text, uptimeColour(uptime));
  }

  async function buildView(slug: string): Promise<StatusView | null> {
    const page = o.monitor.config().status_pages.find((p) => p.slug === slug);
    if (!page) return null;
    const now = o.now();
    const series = new Map<string, Series>();
    await Promise.all([
      ...page.entities.map(async (n) => series.set(`entity:${n}`, await loadSeries(o.store, [n], '90d', now))),
      ...page.groups.map(async (g) => series.set(`group:${g}`, await loadSeries(o.store, members(g), '90d', now))),
    ]);
    return buildStatusView({
      page, now, series, members,
      entity: (n) => o.monitor.entity(n),
      state: (n) => o.monitor.state(n),
      announcements: await o.announcements.current(now, slug),
    });
  }

  return {
    view: (slug) => cached(`page:${slug}`, () => buildView(slug)),
    async badge(subject, kind) {
      if (!allowed(subject)) return null;
      const key = `badge:${subject.kind}:${subject.name}:${kind.what}:${kind.what === 'uptime' ? kind.window : ''}`;
      return cached(key, () => buildBadge(subject, kind));
    },
  };
}
