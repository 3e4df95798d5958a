// What a public status page shows, as one plain document (served as /status/SLUG.json and
// rendered as HTML). Built only from what the page lists: names and statuses, 90-day figures,
// announcements. Targets, messages, extra values and unlisted names never enter it; a listed
// entity blocked by an unlisted one names its cause as "a dependency".
import type { Announcement, Entity, EntityState, Status, StatusPage } from '../types.ts';
import type { Series } from '../series/load.ts';

export const A_DEPENDENCY = 'a dependency';

export type PublicStatus = 'operational' | 'degraded' | 'outage' | 'maintenance' | 'no_data';

export const PUBLIC_LABELS: Readonly<Record<PublicStatus, string>> = {
  operational: 'Operational', degraded: 'Degraded performance', outage: 'Outage', maintenance: 'Under maintenance', no_data: 'No data yet',
};

/** pending is a failure not yet confirmed: the page waits for confirmation, as alerts do. */
export const PUBLIC: Readonly<Record<Status, PublicStatus>> = {
  unknown: 'no_data', ok: 'operational', pending: 'operational', degraded: 'degraded', error: 'outage', blocked: 'outage',
  maintenance: 'maintenance',
};

const RANK: Readonly<Record<Status, number>> = { unknown: 0, ok: 1, maintenance: 1.5, pending: 2, degraded: 3, blocked: 4, error: 5 };

/** The most severe of some states (a group's status); null when there are none. */
export function worstState(states: readonly (EntityState | undefined)[]): EntityState | null {
  return states.reduce<EntityState | null>((w, s) => (s && (w === null || RANK[s.status] > RANK[w.status]) ? s : w), null);
}

export interface DayView {
  readonly date: string;
  readonly checks: number;
  readonly uptime: number | null;
  readonly downtime_s: number;
  readonly blocked_s: number;
}

export interface ItemView {
  readonly kind: 'entity' | 'group';
  readonly name: string;
  readonly status: PublicStatus;
  readonly since: string | null;
  /** For an outage: the listed entity at fault, "a dependency", or null (its own failure). */
  readonly cause: string | null;
  /** Only with show_latency, and only for entities. */
  readonly latency_ms?: number | null;
  readonly uptime_90d: number | null;
  /** Share of the 90 days with data. */
  readonly coverage_90d: number;
  readonly days: readonly DayView[];
}

export interface AnnouncementView extends Pick<Announcement, 'id' | 'title' | 'body' | 'severity'> {
  readonly start: string | null;
  readonly end: string | null;
}

export interface StatusView {
  readonly slug: string;
  readonly title: string;
  readonly description: string | null;
  readonly updated: string;
  readonly status: PublicStatus | 'partial_outage';
  readonly summary: string;
  readonly announcements: readonly AnnouncementView[];
  readonly incidents: readonly { readonly name: string; readonly since: string | null; readonly cause: string | null }[];
  readonly items: readonly ItemView[];
  /** With show_map: who depends on whom among the listed entities. */
  readonly dependencies?: readonly { readonly from: string; readonly to: string }[];
}

export interface StatusInputs {
  readonly page: StatusPage;
  readonly entity: (name: string) => Entity | undefined;
  readonly state: (name: string) => EntityState | undefined;
  /** Group path -> its members' names. */
  readonly members: (group: string) => readonly string[];
  /** 90-day series per item key (`entity:NAME` or `group:PATH`). */
  readonly series: ReadonlyMap<string, Series>;
  readonly announcements: readonly Announcement[];
  readonly now: number;
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function days(series: Series | undefined): DayView[] {
  return (series?.buckets ?? []).map((b) => ({
    date: b.at.slice(0, 10),
    checks: b.checks,
    uptime: b.checks === 0 ? null : Math.round(((b.checks - b.failures) / b.checks) * 10_000) / 10_000,
    downtime_s: b.seconds.error,
    blocked_s: b.seconds.blocked,
  }));
}

/** The listed entities a dependency chain of unlisted ones leads to, or "a dependency". */
function publicCause(root: string | null, listed: ReadonlySet<string>): string | null {
  if (root === null) return null;
  return listed.has(root) ? root : A_DEPENDENCY;
}

export function buildStatusView(input: StatusInputs): StatusView {
  const { page, now } = input;
  const listed = new Set(page.entities);
  const items: ItemView[] = [];
  for (const name of page.entities) {
    const s = input.state(name);
    const series = input.series.get(`entity:${name}`);
    items.push({
      kind: 'entity', name, status: PUBLIC[s?.status ?? 'unknown'], since: iso(s?.since),
      cause: s?.status === 'blocked' ? publicCause(s.blocked_by, listed) : null,
      ...(page.show_latency ? { latency_ms: s?.latency_ms ?? null } : {}),
      uptime_90d: series?.uptime ?? null, coverage_90d: series?.coverage ?? 0, days: days(series),
    });
  }
  for (const group of page.groups) {
    const worst = worstState(input.members(group).map((n) => input.state(n)));
    const series = input.series.get(`group:${group}`);
    items.push({
      kind: 'group', name: group, status: PUBLIC[worst?.status ?? 'unknown'], since: iso(worst?.since),
      cause: null,
      uptime_90d: series?.uptime ?? null, coverage_90d: series?.coverage ?? 0, days: days(series),
    });
  }
  const down = items.filter((i) => i.status === 'outage');
  const known = items.filter((i) => i.status !== 'no_data');
  const status = down.length > 0 ? (down.length === known.length ? 'outage' : 'partial_outage')
    : known.some((i) => i.status === 'degraded') ? 'degraded'
    : known.some((i) => i.status === 'maintenance') ? 'maintenance' : known.length > 0 ? 'operational' : 'no_data';
  const summary = {
    operational: 'All systems operational', degraded: 'Degraded performance', maintenance: 'Maintenance in progress',
    partial_outage: 'Partial outage', outage: 'Major outage', no_data: 'No data yet',
  }[status];

  const dependencies = page.show_map ? page.entities.flatMap((name) => {
    const deps = input.entity(name)?.dependencies ?? [];
    const targets = [...new Set(deps.map((d) => (listed.has(d) ? d : A_DEPENDENCY)))];
    return targets.map((to) => ({ from: name, to }));
  }) : undefined;

  return {
    slug: page.slug, title: page.title, description: page.description, updated: new Date(now).toISOString(), status, summary,
    announcements: input.announcements.map((a) => ({ id: a.id, title: a.title, body: a.body, severity: a.severity, start: iso(a.start), end: iso(a.end) })),
    incidents: down.map((i) => ({ name: i.name, since: i.since, cause: i.cause })),
    items,
    ...(dependencies ? { dependencies } : {}),
  };
}
