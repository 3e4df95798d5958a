// How a view draws its entities: the units (cells) it plans, and the cells of one level of
// groups or of one group's own entities, collected into ranges past the budget (ranges.ts). Pure.
import { childOf } from './graph.ts';
import type { MapGraph } from './graph.ts';
import { byName, partition, spanLabel, spanName } from './ranges.ts';
import type { Span } from './ranges.ts';

export type UnitKind = 'entity' | 'stub' | 'group' | 'range' | 'blocked';

export interface Unit {
  readonly kind: UnitKind;
  readonly key: string;
  /** Entity name or group path. */
  readonly name: string;
  /** What a group or range cell is called. */
  readonly label?: string;
  /** How many groups a range cell holds. */
  readonly groups?: number;
  readonly members: string[];
}

export interface Plan {
  readonly units: Map<string, Unit>;
  /** Entity name -> key of the unit it is drawn as. */
  readonly unitOf: Map<string, string>;
  /** Which dependency edges the view draws (default: all between two units). */
  readonly keep?: (from: string, to: string) => boolean;
  readonly note?: string;
}

export type Add = (kind: UnitKind, key: string, name: string, entity: string, label?: string, groups?: number) => void;

export function newPlan(keep?: Plan['keep']): Plan & { add: Add } {
  const units = new Map<string, Unit>();
  const unitOf = new Map<string, string>();
  return {
    units, unitOf, keep,
    add(kind, key, name, entity, label, groups) {
      let unit = units.get(key);
      if (!unit) units.set(key, (unit = { kind, key, name, label, groups, members: [] }));
      unit.members.push(entity);
      unitOf.set(entity, key);
    },
  };
}

export const groupKey = (path: string): string => `group:${path}`;

/** The cell an entity goes in: kind, key, name, label, groups (see Unit). */
export type Place = readonly [UnitKind, string, string, (string | undefined)?, (number | undefined)?];
export const put = (plan: Plan & { add: Add }, place: Place, entity: string): void => plan.add(place[0], place[1], place[2], entity, place[3], place[4]);

/**
 * `names` (sorted) in at most `room` cells: each drawn as `single` gives it, or in a range cell
 * (ranges.ts) named `FIRST..LAST` and labelled by `labelOf`.
 */
function cellsOf(names: readonly string[], room: number, single: (name: string) => Place, labelOf: (part: Span) => string, counted: boolean): (name: string) => Place {
  const cellOf = new Map<string, Place>();
  for (const part of partition(names, Math.max(2, room))) {
    if (typeof part === 'string') { cellOf.set(part, single(part)); continue; }
    const name = spanName(part);
    const place: Place = ['range', `range:${name}`, name, labelOf(part), counted ? part.groups.length : undefined];
    for (const n of part.groups) cellOf.set(n, place);
  }
  return (n) => cellOf.get(n)!;
}

/** The child groups of `parent` (only those `only` keeps), in at most `room` cells: entity group -> its cell. */
export function levelOf(graph: MapGraph, parent: string, only: ((child: string) => boolean) | null, room: number): (group: string) => Place {
  const children = new Set<string>();
  for (const e of graph.config.entities) {
    const child = e.group === null ? null : childOf(parent, e.group);
    if (child !== null && (!only || only(child))) children.add(child);
  }
  const cellOf = cellsOf([...children].sort(byName), room, (g) => ['group', groupKey(g), g], spanLabel, true);
  return (group) => cellOf(childOf(parent, group)!);
}

/** One group's own entities in at most `room` cells: each its own cell, or in a range of them. */
export function entityLevel(names: readonly string[], room: number): (name: string) => Place {
  return cellsOf([...names].sort(byName), room, (n) => ['entity', n, n], (part) => `${part.first} … ${part.last}`, false);
}
