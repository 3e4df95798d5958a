// The latest result of each site for each located entity. Kept in memory and written to the
// store's key-value area (one key per entity and site, so two instances that receive results for
// the same entity never overwrite each other's sites): with several instances, a probe may send
// to any of them, and the instance that checks the entity reads them back before each verdict.
import type { Store } from '../store/store.ts';
import type { Logger } from '../log.ts';
import type { SiteResult } from './verdict.ts';

export interface SiteTable {
  /** Keeps the result if it is newer than the one held; true when it was kept. */
  record(entity: string, site: string, result: SiteResult): boolean;
  /** Writes the kept results of these (entity, site) pairs to the store. */
  persist(pairs: Iterable<readonly [string, string]>): Promise<void>;
  /** Grows with every result kept for the entity: a verdict knows whether anything came since. */
  version(entity: string): number;
  /** The latest result per site, as far as this instance knows. */
  sites(entity: string): ReadonlyMap<string, SiteResult>;
  /** Reads these sites' results from the store (another instance may have received newer ones). */
  refresh(entity: string, sites: readonly string[]): Promise<void>;
  /** Forgets entities no longer configured. */
  keepOnly(names: ReadonlySet<string>): void;
}

const keyOf = (entity: string, site: string): string => `probe-result:${entity}:${site}`;

function parse(text: string | null): SiteResult | null {
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as SiteResult;
    return typeof r.at === 'number' && typeof r.ok === 'boolean' && typeof r.message === 'string' ? r : null;
  } catch {
    return null;
  }
}

export function createSiteTable(options: { store: Pick<Store, 'getMeta' | 'setMetaMany'>; logger: Logger }): SiteTable {
  const { store, logger } = options;
  const table = new Map<string, Map<string, SiteResult>>();
  const versions = new Map<string, number>();

  function record(entity: string, site: string, result: SiteResult): boolean {
    let sites = table.get(entity);
    if (!sites) table.set(entity, sites = new Map());
    const held = sites.get(site);
    if (held && held.at >= result.at) return false;
    sites.set(site, result);
    versions.set(entity, (versions.get(entity) ?? 0) + 1);
    return true;
  }

  return {
    record,
    async persist(pairs) {
      // One transaction per request of results, not one per result.
      const entries: [string, string][] = [];
      for (const [entity, site] of pairs) {
        const result = table.get(entity)?.get(site);
        if (result) entries.push([keyOf(entity, site), JSON.stringify(result)]);
      }
      if (entries.length > 0) await store.setMetaMany(entries);
    },
    version: (entity) => versions.get(entity) ?? 0,
    sites: (entity) => table.get(entity) ?? new Map(),
    async refresh(entity, sites) {
      for (const site of sites) {
        try {
          const stored = parse(await store.getMeta(keyOf(entity, site)));
          if (stored) record(entity, site, stored);
        } catch (err) {
          // The results in memory still judge; the store's health says it failed.
          logger.debug({ entity, site, err: String(err) }, 'probes: stored site result unreadable');
        }
      }
    },
    keepOnly(names) {
      for (const name of table.keys()) {
        if (names.has(name)) continue;
        table.delete(name);
        versions.delete(name);
      }
    },
  };
}
