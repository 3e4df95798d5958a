// Range cells: a level of the map (the top-level groups, or the subgroups of one group) with more
// groups than a view draws readably is drawn as runs of groups in name order, "api-001 … api-120",
// each one cell, coloured by the worst status in it. Pure.
import type { Config } from '../types.ts';
import { leaf } from './graph.ts';

/** The fewest cells a level is collected into, whatever `map.max_entities` says. */
export const MIN_LEVEL_CELLS = 12;

/**
 * How many cells one level of groups may take before its groups are collected into ranges: the
 * readable budget of the whole map (`map.max_entities`, settable in entities.yaml), kept between
 * MIN_LEVEL_CELLS and `most` (the most cells any view draws).
 */
export function levelBudget(config: Pick<Config, 'map'>, most: number): number {
  return Math.max(MIN_LEVEL_CELLS, Math.min(config.map.max_entities, most));
}

const DIGITS = /(\d+)/;

/**
 * Group names in natural order (`vds_2` before `vds_10`), the same everywhere whatever the locale:
 * runs of digits compare by value, the rest by code unit; equal so far, by code unit (`01`, `1`).
 */
export function byName(a: string, b: string): number {
  if (a === b) return 0;
  const x = a.split(DIGITS);
  const y = b.split(DIGITS);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    // Odd places hold the digit runs.
    if (i % 2 === 1) {
      const d = Number(x[i]) - Number(y[i]) || (x[i]!.length - y[i]!.length);
      if (d !== 0 && Number.isFinite(d)) return d < 0 ? -1 : 1;
    }
    return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length !== y.length ? x.length - y.length < 0 ? -1 : 1 : a < b ? -1 : 1;
}

export interface Span {
  readonly first: string;
  readonly last: string;
  /** The groups it holds, in name order. */
  readonly groups: readonly string[];
}

/** A level drawn in at most `room` cells: group paths drawn as themselves, spans as range cells. */
export type Part = string | Span;

/** `FIRST..LAST`: what `?range=` takes, a range cell's `data-range`. */
export const spanName = (span: Span): string => `${span.first}..${span.last}`;

/** "api-001 … api-120": what a range cell is called. */
export const spanLabel = (span: Span): string => `${leaf(span.first)} … ${leaf(span.last)}`;

/** `items` cut into `k` runs of near-equal length, in order. */
function chunks<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < k; i++) out.push(items.slice(Math.floor((i * items.length) / k), Math.floor(((i + 1) * items.length) / k)));
  return out.filter((c) => c.length > 0);
}

/**
 * `groups` (sorted by name) in at most `room` cells (room ≥ 2): each its own cell while they fit,
 * else runs of near-equal size (at least two) in name order, as few as the room allows. Statuses play no
 * part, so a view's cells (and its layout) stay the same whatever fails: a failing group's range
 * takes the colour of its worst status, and the problems view names the group and entity.
 */
export function partition(groups: readonly string[], room: number): Part[] {
  if (groups.length <= room) return [...groups];
  const size = Math.ceil(groups.length / room);
  return chunks(groups, Math.ceil(groups.length / size)).map((c) => (c.length === 1 ? c[0]! : { first: c[0]!, last: c.at(-1)!, groups: c }));
}

/** The group that holds `path` one level up; '' for a top-level group. */
export const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');

/**
 * `FIRST..LAST` of two groups under the same parent (or, with `parent` given, two entities of
 * one group), in name order. Names may hold `..` themselves: the split taken is the one whose
 * two sides are known. Null when none is.
 */
export function parseSpan(text: string, known: (name: string) => boolean, parent: (name: string) => string = parentOf): { parent: string; first: string; last: string } | null {
  for (let i = text.indexOf('..'); i >= 0; i = text.indexOf('..', i + 1)) {
    const first = text.slice(0, i);
    const last = text.slice(i + 2);
    if (known(first) && known(last) && parent(first) === parent(last) && byName(first, last) <= 0) return { parent: parent(first), first, last };
  }
  return null;
}

/** Whether two spans of one level share a name. */
export const overlaps = (a: { first: string; last: string }, b: { first: string; last: string }): boolean =>
  byName(a.last, b.first) >= 0 && byName(b.last, a.first) >= 0;
