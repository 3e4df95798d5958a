// Which instance checks which entity: rendezvous (highest random weight) hashing of each entity's
// placement key over the live instances. Every instance computes the same answer from the same
// member list, and a member joining or leaving moves only the keys it wins or held.
import { createHash } from 'node:crypto';
import type { Config } from '../types.ts';

/**
 * The key an entity is placed by: its group when it has one (a host's services stay together),
 * else the root of its dependency tree, reached through first dependencies (a tree is checked by
 * one instance, so a failure's verdict reads fresh results of its own instance).
 */
export function placementKeys(config: Config): Map<string, string> {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  const rootOf = new Map<string, string>();
  const root = (name: string): string => {
    const known = rootOf.get(name);
    if (known !== undefined) return known;
    let current = name;
    // Validation rejects cycles; the bound only guards against a broken configuration.
    for (let steps = 0; steps <= byName.size; steps++) {
      const next = byName.get(current)?.dependencies.find((d) => byName.has(d));
      if (next === undefined) break;
      current = next;
    }
    rootOf.set(name, current);
    return current;
  };
  const keys = new Map<string, string>();
  for (const e of config.entities) keys.set(e.name, e.group !== null ? `group:${e.group}` : `root:${root(e.name)}`);
  return keys;
}

function weight(instance: string, key: string): bigint {
  return createHash('sha256').update(instance).update('\0').update(key).digest().readBigUInt64BE(0);
}

/** The instance that wins `key` among `instances` (null when there are none). */
export function ownerOf(key: string, instances: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1n;
  for (const instance of instances) {
    const w = weight(instance, key);
    if (w > bestWeight || (w === bestWeight && best !== null && instance < best)) {
      best = instance;
      bestWeight = w;
    }
  }
  return best;
}

/** Entity name -> owning instance, for every entity of the configuration. */
export function assignEntities(keys: ReadonlyMap<string, string>, instances: readonly string[]): Map<string, string | null> {
  const byKey = new Map<string, string | null>();
  const out = new Map<string, string | null>();
  for (const [name, key] of keys) {
    let owner = byKey.get(key);
    if (owner === undefined) {
      owner = ownerOf(key, instances);
      byKey.set(key, owner);
    }
    out.set(name, owner);
  }
  return out;
}
