// Reads what a series needs through the Store interface: per member, raw results or hour
// aggregates of the range, its transitions and its first check.

import type { Store } from '../store/store.ts';
import { buildSeries } from './build.ts';
import type { MemberData, SeriesBody } from './build.ts';
import { entitySegments, groupSegments } from './timeline.ts';
import type { Segment } from './timeline.ts';
import { bucketRange, WINDOWS } from './windows.ts';
import type { BucketRange, SeriesWindow, WindowName } from './windows.ts';

export interface LoadedRange {
  readonly members: MemberData[];
  /** The entity's status over the range, or the group's (its worst member at every moment). */
  readonly segments: Segment[];
}

/** `names`: one entity, or the members of a group. */
export async function loadRange(store: Store, names: readonly string[], range: BucketRange, source: SeriesWindow['source']): Promise<LoadedRange> {
  const end = range.to + 1;
  const loaded = await Promise.all(names.map(async (name) => {
    const [data, transitions, first] = await Promise.all([
      source === 'raw' ? store.resultsBetween(name, range.from, end) : store.hoursBetween(name, range.from, end, range.step),
      store.transitionsBetween(name, range.from, end),
      store.firstCheck(name),
    ]);
    const member: MemberData = source === 'raw'
      ? { points: data as MemberData['points'], first }
      : { hours: data as MemberData['hours'], first };
    return { member, segments: entitySegments(name, transitions, range.from, range.to) };
  }));
  return { members: loaded.map((l) => l.member), segments: groupSegments(loaded.map((l) => l.segments)) };
}

export interface Series extends SeriesBody {
  readonly window: WindowName;
}

export async function loadSeries(store: Store, names: readonly string[], window: WindowName, now: number): Promise<Series> {
  const spec = WINDOWS[window];
  const range = bucketRange(spec, now);
  const { members, segments } = await loadRange(store, names, range, spec.source);
  return { window, ...buildSeries(range, members, segments) };
}
