// Routing: which channels hear about which entity. Pure: the configuration decides, and an
// alert's items are split per channel before anything is queued.
import type { Config } from '../types.ts';
import type { AlertItem } from './alert.ts';

/** The channel names an entity's alerts go to; null (configuration events) = every channel. */
export type Router = (entity: string | null) => readonly string[];

/** `eu/payments/cards` → `eu/payments/cards`, `eu/payments`, `eu`: the nearest group first. */
function enclosingGroups(group: string): string[] {
  const parts = group.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

/** An entity's own `notify`, else its nearest group's, else `notify.default`, else every channel. */
export function createRouter(config: Config): Router {
  const all = config.notify.channels.map((c) => c.name);
  const fallback = config.notify.default ?? all;
  const routes = new Map<string, readonly string[]>();
  for (const entity of config.entities) {
    const fromGroup = entity.group === null
      ? undefined
      : enclosingGroups(entity.group).map((g) => config.groups[g]?.notify).find((n) => n !== null && n !== undefined);
    routes.set(entity.name, entity.notify ?? fromGroup ?? fallback);
  }
  return (entity) => (entity === null ? all : routes.get(entity) ?? fallback);
}

/**
 * The items each channel gets: an entity's item goes to its own channels and to those of every
 * entity it names as impacted (the root cause reaches whoever looks after what fell with it; so
 * does its recovery), once per channel, in the alert's order.
 */
export function routeItems(items: readonly AlertItem[], router: Router): Map<string, AlertItem[]> {
  const out = new Map<string, AlertItem[]>();
  for (const item of items) {
    // An item about no entity in particular but reaching some (a maintenance window) goes only to theirs.
    const targets = new Set(item.entity === null && item.reach ? [] : router(item.entity));
    for (const name of [...item.impacted, ...(item.reach ?? [])]) for (const c of router(name)) targets.add(c);
    for (const channel of targets) {
      const list = out.get(channel) ?? [];
      list.push(item);
      out.set(channel, list);
    }
  }
  return out;
}
