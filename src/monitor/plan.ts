// Pure steps of the monitor: when an entity is checked next, who depends on whom, and what a new
// configuration changes. The monitor (monitor.ts) applies them to its timers and states.
import { configFingerprint } from '../config/build.ts';
import type { Config, Entity, EntityState } from '../types.ts';
import { isDown } from './state.ts';
import { checkTypeOf } from '../checks/registry.ts';

/** Entity name -> the names that depend on it directly, in file order. */

/**
 * Milliseconds until an entity's first check after a start or a change. After a restart the
 * entity keeps its cadence; otherwise first checks are spread over min(interval, spread) seconds.
 */
export function firstCheckDelay(entity: Entity, lastcheck: number | null | undefined, now: number, random: number, spreadSeconds: number): number {
  // Not polled: the first verdict comes when a push would have been due, a full window after the start.
  const passive = checkTypeOf(entity).passiveDeadlineMs?.(entity);
  if (passive !== undefined) return passive;
  const interval = entity.interval * 1000;
  if (lastcheck !== null && lastcheck !== undefined && lastcheck + interval > now && lastcheck <= now) {
    return lastcheck + interval - now;
  }
  return Math.floor(random * Math.min(entity.interval, spreadSeconds) * 1000);
}

/** Milliseconds from the start of a check to the next: the retry interval while a failure is unconfirmed. */
export function nextCheckDelay(entity: Entity, state: EntityState | undefined): number {
  if (state?.status === 'pending') return entity.retry_interval * 1000;
  return checkTypeOf(entity).passiveDeadlineMs?.(entity) ?? entity.interval * 1000;
}

/** This failed result would confirm a failure: its verdict must wait for fresh dependency results. */
export function confirmsFailure(prev: EntityState, ok: boolean, entity: Entity): boolean {
  return !ok && !isDown(prev.status) && prev.consecutive_failures + 1 >= entity.failure_threshold;
}

export interface ConfigChange {
  /** Entities new in the configuration: they get a state and a timer. */
  readonly added: readonly Entity[];
  /** Names no longer in the configuration: their timers stop. */
  readonly removed: readonly string[];
  /** Entities whose settings changed: counts and status stay, the timer follows the new settings. */
  readonly changed: readonly Entity[];
}

export function diffConfig(before: ReadonlyMap<string, Entity>, next: Config): ConfigChange {
  const names = new Set(next.entities.map((e) => e.name));
  const added: Entity[] = [];
  const changed: Entity[] = [];
  for (const entity of next.entities) {
    const old = before.get(entity.name);
    if (!old) added.push(entity);
    else if (configFingerprint(old) !== configFingerprint(entity)) changed.push(entity);
  }
  return { added, removed: [...before.keys()].filter((name) => !names.has(name)), changed };
}

/** What a reload changed, for its log line: entity names, at most `limit` of each kind. */
export function describeChange(change: ConfigChange, limit = 20): { added: string[]; removed: string[]; changed: string[] } {
  const names = (list: readonly string[]): string[] =>
    list.length > limit ? [...list.slice(0, limit), `and ${list.length - limit} more`] : [...list];
  return { added: names(change.added.map((e) => e.name)), removed: names(change.removed), changed: names(change.changed.map((e) => e.name)) };
}
