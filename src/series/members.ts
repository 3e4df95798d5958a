// Which entities make up a group: those whose `group` is the path or lies below it ("eu" holds
// "eu" and "eu/payments").
import type { Entity } from '../types.ts';

export function groupMembers(entities: readonly Entity[], path: string): string[] {
  return entities.filter((e) => e.group !== null && (e.group === path || e.group.startsWith(`${path}/`))).map((e) => e.name);
}
