// Status over time, rebuilt from the stored transitions (a few per day, kept as long as the
// hourly aggregates): how long an entity or a group spent in each status, and its incidents.

import type { Status, Transition } from '../types.ts';

export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly status: Status;
  /** For error: the entity itself; for blocked: the dependency at fault; else null. */
  readonly cause: string | null;
}

/** Statuses whose time a series and a report account for. */
export const TIMED_STATUSES = ['ok', 'degraded', 'pending', 'error', 'blocked', 'maintenance'] as const;
export type TimedStatus = (typeof TIMED_STATUSES)[number];

const SEVERITY: Readonly<Record<Status, number>> = { unknown: 0, ok: 1, maintenance: 1.5, degraded: 2, pending: 3, blocked: 4, error: 5 };

function causeOf(name: string, status: Status, blockedBy: string | null): string | null {
  if (status === 'error') return name;
  return status === 'blocked' ? blockedBy : null;
}

/**
 * One entity's status between `from` and `to`, from transitions oldest first (the first may lie
 * before `from`: it tells the status there). Time before the first check (status unknown) is
 * not part of any segment.
 */
export function entitySegments(name: string, transitions: readonly Transition[], from: number, to: number): Segment[] {
  const out: Segment[] = [];
  const push = (start: number, end: number, status: Status, blockedBy: string | null) => {
    const s = Math.max(start, from);
    const e = Math.min(end, to);
    if (e > s && status !== 'unknown') out.push({ start: s, end: e, status, cause: causeOf(name, status, blockedBy) });
  };
  const first = transitions[0];
  // Older transitions may have been pruned: the first one still says what came before it.
  if (first && first.at > from) push(first.prev_since ?? from, first.at, first.from, null);
  transitions.forEach((t, i) => push(t.at, transitions[i + 1]?.at ?? to, t.to, t.blocked_by));
  return out;
}

/** A group's status over time: at every moment the worst status among its members. */
export function groupSegments(members: readonly (readonly Segment[])[]): Segment[] {
  if (members.length === 1) return [...members[0]!];
  const cuts = [...new Set(members.flatMap((segs) => segs.flatMap((s) => [s.start, s.end])))].sort((a, b) => a - b);
  const cursor = members.map(() => 0);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const start = cuts[i]!;
    const end = cuts[i + 1]!;
    let worst: Segment | null = null;
    members.forEach((segs, m) => {
      while (cursor[m]! < segs.length && segs[cursor[m]!]!.end <= start) cursor[m]!++;
      const seg = segs[cursor[m]!];
      if (seg && seg.start <= start && (worst === null || SEVERITY[seg.status] > SEVERITY[worst.status])) worst = seg;
    });
    if (worst === null) continue;
    const { status, cause } = worst as Segment;
    const last = out.at(-1);
    if (last && last.end === start && last.status === status && last.cause === cause) out[out.length - 1] = { ...last, end };
    else out.push({ start, end, status, cause });
  }
  return out;
}

export type Seconds = Record<TimedStatus, number>;

export const noSeconds = (): Seconds => ({ ok: 0, degraded: 0, pending: 0, error: 0, blocked: 0, maintenance: 0 });

/** Adds each segment's time (ms) to the buckets of `step` starting at `from` that it overlaps. */
export function spreadSegments(segments: readonly Segment[], from: number, step: number, buckets: readonly Seconds[]): void {
  for (const seg of segments) {
    if (!(TIMED_STATUSES as readonly string[]).includes(seg.status)) continue;
    const status = seg.status as TimedStatus;
    const firstIndex = Math.max(0, Math.floor((seg.start - from) / step));
    for (let i = firstIndex; i < buckets.length; i++) {
      const start = Math.max(seg.start, from + i * step);
      const end = Math.min(seg.end, from + (i + 1) * step);
      if (end <= start) break;
      buckets[i]![status] += end - start;
    }
  }
}

export interface Incident {
  readonly start: number;
  /** null while it lasts. */
  readonly end: number | null;
  /** The entity in error at its start, or the dependency that blocked it. */
  readonly root_cause: string | null;
  /** Whether the entity was only ever blocked by a dependency during it. */
  readonly blocked_only: boolean;
}

/** Maximal runs of error or blocked time; an incident still running at `now` has no end. */
export function incidents(segments: readonly Segment[], now: number): Incident[] {
  const out: { start: number; end: number; root_cause: string | null; blocked_only: boolean }[] = [];
  for (const seg of segments) {
    if (seg.status !== 'error' && seg.status !== 'blocked') continue;
    const last = out.at(-1);
    if (last && last.end === seg.start) {
      last.end = seg.end;
      if (seg.status === 'error' && last.blocked_only) {
        last.blocked_only = false;
        last.root_cause = seg.cause;
      }
    } else {
      out.push({ start: seg.start, end: seg.end, root_cause: seg.cause, blocked_only: seg.status === 'blocked' });
    }
  }
  return out.map((i) => ({ ...i, end: i.end >= now ? null : i.end }));
}
