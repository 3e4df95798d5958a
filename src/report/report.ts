// Monthly reports: per entity and group, how available it was, how long it was down by its own
// failure and how long blocked by a dependency (shown apart), and its downtime incidents with
// their root cause. Built from the hourly aggregates and the transitions (kept 400 days), so a
// report costs O(hours + status changes) whatever the check interval.
//
// Availability = up time / (up + down + blocked time), where up is ok, degraded or pending (a
// failure not yet confirmed). Time in maintenance (the status a maintenance window shows) is left
// out of both sides and reported apart as maintenance_s.
import type { Store } from '../store/store.ts';
import type { Entity } from '../types.ts';
import { loadRange } from '../series/load.ts';
import { groupMembers } from '../series/members.ts';
import { customRange } from '../series/windows.ts';
import { incidents, noSeconds, spreadSegments } from '../series/timeline.ts';
import type { Seconds } from '../series/timeline.ts';
import { DAY_MS } from '../store/encoding.ts';

export interface ReportIncident {
  readonly start: string;
  /** Cut at the month's end when it ran on; null while it still runs. */
  readonly end: string | null;
  readonly duration_s: number;
  /** The entity whose failure it was (itself, or the dependency that blocked it). */
  readonly root_cause: string | null;
  /** Only ever blocked by a dependency, never down by its own failure. */
  readonly blocked_only: boolean;
}

export interface ReportRow {
  readonly kind: 'entity' | 'group';
  readonly name: string;
  readonly checks: number;
  readonly failures: number;
  /** Passed checks / checks; null without checks. */
  readonly uptime: number | null;
  /** Up time / (up + down + blocked); null without any time observed. */
  readonly availability: number | null;
  /** Time down by its own failure (error). */
  readonly downtime_s: number;
  /** Time down because a dependency failed (blocked), shown apart. */
  readonly blocked_s: number;
  readonly maintenance_s: number;
  /** Share of the month with a known status. */
  readonly coverage: number;
  readonly seconds: Seconds;
  readonly incidents: readonly ReportIncident[];
}

export interface Report {
  readonly month: string;
  readonly from: string;
  readonly to: string;
  readonly generated_at: string;
  readonly entities: readonly ReportRow[];
  readonly groups: readonly ReportRow[];
}

/** `YYYY-MM` -> the month's bounds in UTC; null when it is not a month. */
export function monthRange(month: string): { from: number; to: number } | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return { from: Date.UTC(y, mo - 1, 1), to: Date.UTC(y, mo, 1) };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const iso = (ms: number) => new Date(ms).toISOString();

async function row(store: Store, kind: ReportRow['kind'], name: string, names: readonly string[], from: number, to: number, now: number): Promise<ReportRow> {
  const range = customRange(from, to, DAY_MS);
  const { members, segments } = await loadRange(store, names, range, 'hourly');
  const total = noSeconds();
  spreadSegments(segments, from, to - from, [total]);
  const hours = members.flatMap((m) => m.hours ?? []).filter((h) => h.hour >= from && h.hour < to);
  const checks = hours.reduce((n, h) => n + h.checks, 0);
  const failures = hours.reduce((n, h) => n + h.checks - h.successes, 0);
  const up = total.ok + total.degraded + total.pending;
  const counted = up + total.error + total.blocked;
  const seconds = Object.fromEntries(Object.entries(total).map(([k, v]) => [k, v / 1000])) as Seconds;
  return {
    kind, name, checks, failures,
    uptime: checks === 0 ? null : round6((checks - failures) / checks),
    availability: counted === 0 ? null : round6(up / counted),
    downtime_s: seconds.error,
    blocked_s: seconds.blocked,
    maintenance_s: seconds.maintenance,
    coverage: round6((counted + total.maintenance) / (to - from)),
    seconds,
    incidents: incidents(segments, now).map((i) => ({
      start: iso(i.start), end: i.end === null ? null : iso(i.end),
      duration_s: ((i.end ?? Math.min(now, to)) - i.start) / 1000, root_cause: i.root_cause, blocked_only: i.blocked_only,
    })),
  };
}

/** The report of `month` (YYYY-MM) for the configured entities and groups, as of `now`. */
export async function buildReport(store: Store, entities: readonly Entity[], month: string, now: number): Promise<Report> {
  const bounds = monthRange(month);
  if (!bounds) throw new RangeError('month must be YYYY-MM, for example 2026-11');
  const from = bounds.from;
  const to = Math.min(bounds.to, Math.max(from, now));
  const groups = [...new Set(entities.flatMap((e) => (e.group === null ? [] : [e.group])))];
  return {
    month, from: iso(from), to: iso(to), generated_at: iso(now),
    entities: await Promise.all(entities.map((e) => row(store, 'entity', e.name, [e.name], from, to, now))),
    groups: await Promise.all(groups.map((g) => row(store, 'group', g, groupMembers(entities, g), from, to, now))),
  };
}

const CSV_COLUMNS = [
  'record', 'kind', 'name', 'checks', 'failures', 'uptime', 'availability', 'downtime_s', 'blocked_s', 'maintenance_s', 'coverage',
  'incident_start', 'incident_end', 'incident_duration_s', 'root_cause', 'blocked_only',
] as const;

/** Quotes where needed, and defuses text a spreadsheet would run as a formula. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One `summary` line per entity and group, then one `incident` line per incident. */
export function reportCsv(report: Report): string {
  const lines = [CSV_COLUMNS.join(',')];
  const rows = [...report.entities, ...report.groups];
  for (const r of rows) {
    lines.push([
      'summary', r.kind, r.name, r.checks, r.failures, r.uptime, r.availability, r.downtime_s, r.blocked_s, r.maintenance_s, r.coverage,
      null, null, null, null, null,
    ].map(csvCell).join(','));
  }
  for (const r of rows) {
    for (const i of r.incidents) {
      lines.push([
        'incident', r.kind, r.name, null, null, null, null, null, null, null, null,
        i.start, i.end, i.duration_s, i.root_cause, i.blocked_only,
      ].map(csvCell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
