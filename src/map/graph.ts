// The configuration indexed for the views: dependencies both ways and the tree of group paths.
// Pure; built once per configuration.
import type { Config, Entity } from '../types.ts';
import { walkGraph } from '../config/graph.ts';

export interface MapGraph {
  readonly config: Config;
  readonly byName: ReadonlyMap<string, Entity>;
  /** Dependencies that name an existing entity (never itself). */
  readonly deps: ReadonlyMap<string, readonly string[]>;
  /** Who depends on each entity. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** Every group path and every prefix of one (`eu/payments` gives `eu` too). */
  readonly groups: ReadonlySet<string>;
}

export function indexGraph(config: Config): MapGraph {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  const deps = new Map<string, string[]>();
  const dependents = new Map<string, string[]>(config.entities.map((e) => [e.name, []]));
  const groups = new Set<string>();
  for (const e of config.entities) {
    const own = e.dependencies.filter((d) => d !== e.name && byName.has(d));
    deps.set(e.name, own);
    for (const d of own) dependents.get(d)!.push(e.name);
    if (e.group !== null) for (const prefix of prefixes(e.group)) groups.add(prefix);
  }
  return { config, byName, deps, dependents, groups };
}

/** `a/b/c` -> `a`, `a/b`, `a/b/c`. */
export function prefixes(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Whether `path` is `parent` or lies inside it. The root `''` holds every path. */
export function within(path: string | null, parent: string): boolean {
  if (path === null) return false;
  return parent === '' || path === parent || path.startsWith(`${parent}/`);
}

/**
 * The child of `parent` that holds `path`: `childOf('eu', 'eu/payments/db')` is `eu/payments`;
 * null when `path` is `parent` itself or lies outside it.
 */
export function childOf(parent: string, path: string): string | null {
  if (path === parent || !within(path, parent)) return null;
  const rest = parent === '' ? path : path.slice(parent.length + 1);
  const next = rest.split('/')[0]!;
  return parent === '' ? next : `${parent}/${next}`;
}

/** The last segment: the name a group's cell shows. */
export const leaf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Every entity reachable from `start` along `next`, nearest first, `start` excluded; at most `limit`. */
export function reach(start: string, next: ReadonlyMap<string, readonly string[]>, limit = Infinity): string[] {
  const out: string[] = [];
  walkGraph(start, (n) => next.get(n), (n) => {
    out.push(n);
    return out.length >= limit ? 'stop' : 'continue';
  }, 'breadth');
  return out;
}
