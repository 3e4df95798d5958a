// The check types. A new check type is one file, one line here, and its branch in
// schema/entities.schema.json; the Entity union and every list of types derive from this object.
import type { CheckType } from './check-type.ts';
import { api } from './api.ts';
import { command } from './command.ts';
import { database } from './database.ts';
import { dns } from './dns.ts';
import { ping } from './ping.ts';
import { push } from './push.ts';
import { tcp } from './tcp.ts';
import { tls } from './tls.ts';

export const CHECK_TYPES = {
  api,
  ping,
  database,
  tcp,
  dns,
  tls,
  push,
  command,
} as const;

type Registry = typeof CHECK_TYPES;
type EntityOfType<C> = C extends CheckType<infer E> ? E : never;

export type EntityType = keyof Registry;
export type Entity = { [T in EntityType]: EntityOfType<Registry[T]> }[EntityType];
export type EntityOf<T extends EntityType> = Extract<Entity, { type: T }>;

/** A check type by name; widening is safe: the registry is keyed by the same `type`. */
export function checkType(type: EntityType): CheckType<Entity> {
  return CHECK_TYPES[type] as unknown as CheckType<Entity>;
}

export function checkTypeOf(entity: Entity): CheckType<Entity> {
  return checkType(entity.type);
}

export function isEntityType(type: unknown): type is EntityType {
  return typeof type === 'string' && Object.hasOwn(CHECK_TYPES, type);
}
