// Probes at other sites, as the server sees them: who a token belongs to, when each probe was
// last seen, what each site is assigned, the results they send, and the verdict of located
// entities. main.ts wires it between the monitor (its checker) and the HTTP routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { Config, Entity, SiteMark } from '../types.ts';
import type { RunCheck } from '../monitor/monitor.ts';
import { LOCAL_SITE } from './config.ts';
import { assignments, parseResults } from './protocol.ts';
import type { Rejection } from './protocol.ts';
import { createSiteTable } from './sites.ts';
import { isFresh, judgeSites } from './verdict.ts';
import { createPresence } from './presence.ts';
import type { ProbeStatus } from './presence.ts';

export type { ProbeStatus } from './presence.ts';

export interface ProbeMonitor {
  config(): Config;
  entity(name: string): Entity | undefined;
  owns(name: string): boolean;
  checkNow(name: string): Promise<void>;
}

export interface ProbeService {
  /** The site whose token this is, or null. Every site's hash is compared, matched or not. */
  authenticate(token: string): string | null;
  /** An authenticated request from the site's probe. */
  seen(site: string): void;
  assignments(site: string): { body: string; etag: string };
  receive(site: string, items: readonly unknown[]): Promise<{ accepted: number; rejected: Rejection[] }>;
  /** The checker of the monitor: located entities are judged from their sites' results. */
  checker(run: RunCheck): RunCheck;
  /** The latest result of each of the entity's locations, for its document; null when it has none. */
  sitesOf(name: string): Readonly<Record<string, SiteMark>> | null;
  /** Every configured probe: online or not, last seen. */
  status(): ProbeStatus[];
  onConfig(config: Config): void;
  close(): void;
}

export interface ProbeServiceOptions {
  readonly monitor: ProbeMonitor;
  readonly store: Pick<Store, 'getMeta' | 'setMeta' | 'setMetaMany'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told of every request's results: accepted and rejected counts per site (metrics). */
  readonly onResults?: (site: string, accepted: number, rejected: number) => void;
  /** Told when a probe's state (online or not) is judged, every few seconds. */
  readonly onPresence?: (status: ProbeStatus) => void;
  /**
   * Several instances share the store: a probe may have sent results to another one, so they are
   * read from the store before each verdict. Alone, only once per entity (after a start).
   */
  readonly shared?: boolean;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Located at a probe site and not here: judged from the results alone, as they arrive. */
const remoteOnly = (entity: Entity): boolean => !!entity.placement && !entity.placement.locations.includes(LOCAL_SITE);

export function createProbeService(options: ProbeServiceOptions): ProbeService {
  const { monitor, clock, logger } = options;
  const table = createSiteTable({ store: options.store, logger });
  const presence = createPresence({ store: options.store, clock, logger, probes: () => monitor.config().probes, onPresence: options.onPresence });
  /** The site table's version of each entity's last verdict: without a newer result, there is nothing new to judge. */
  const judged = new Map<string, number>();
  const unjudged = (name: string): boolean => table.version(name) > (judged.get(name) ?? 0);
  /** Entities whose stored site results this instance has read (alone, that is once). */
  const loaded = new Set<string>();

  return {
    authenticate(token) {
      const given = sha256(token);
      let found: string | null = null;
      for (const probe of monitor.config().probes) {
        if (timingSafeEqual(given, Buffer.from(probe.token_hash, 'hex')) && found === null) found = probe.site;
      }
      return found;
    },
    seen: (site) => presence.seen(site),
    assignments: (site) => assignments(monitor.config(), site),
    async receive(site, items) {
      const { accepted, rejected } = parseResults(items, site, (name) => monitor.entity(name), clock.now());
      const changed = new Map<string, readonly [string, string]>();
      for (const { entity, result } of accepted) {
        if (table.record(entity, site, result)) changed.set(entity, [entity, site]);
      }
      options.onResults?.(site, accepted.length, rejected.length);
      await table.persist(changed.values());
      // Entities judged from remote sites only are judged as their results arrive, by the instance
      // that checks them; the answer comes once they are. A verdict already under way may have read
      // the sites before these results: then one more.
      await Promise.all([...changed.keys()].map(async (name) => {
        const entity = monitor.entity(name);
        if (!entity || !remoteOnly(entity) || !monitor.owns(name)) return;
        await monitor.checkNow(name);
        if (unjudged(name)) await monitor.checkNow(name);
      }));
      return { accepted: accepted.length, rejected };
    },
    checker(run) {
      return async (entity, runOptions) => {
        const placement = entity.placement;
        if (!placement || (placement.locations.length === 1 && placement.locations[0] === LOCAL_SITE)) return run(entity, runOptions);
        if (placement.locations.includes(LOCAL_SITE)) {
          const at = clock.now();
          const outcome = await run(entity, runOptions);
          if (outcome) table.record(entity.name, LOCAL_SITE, { ...outcome, at });
        }
        if (options.shared || !loaded.has(entity.name)) {
          await table.refresh(entity.name, placement.locations.filter((s) => s !== LOCAL_SITE));
          loaded.add(entity.name);
        }
        if (!unjudged(entity.name)) return null;
        const version = table.version(entity.name);
        const verdict = judgeSites({ placement, interval: entity.interval, timeout: entity.timeout }, table.sites(entity.name), clock.now());
        if (verdict) judged.set(entity.name, version);
        return verdict;
      };
    },
    sitesOf(name) {
      const entity = monitor.entity(name);
      if (!entity?.placement?.check) return null;
      const sites = table.sites(name);
      const now = clock.now();
      const out: Record<string, SiteMark> = {};
      for (const site of entity.placement.locations) {
        const r = sites.get(site);
        if (r) out[site] = { ok: r.ok, at: new Date(r.at).toISOString(), message: r.message, fresh: isFresh(r, entity, now) };
      }
      return out;
    },
    status: () => presence.status(),
    onConfig(config) {
      const names = new Set(config.entities.map((e) => e.name));
      table.keepOnly(names);
      for (const name of judged.keys()) if (!names.has(name)) judged.delete(name);
      for (const name of loaded) if (!names.has(name)) loaded.delete(name);
    },
    close: () => presence.close(),
  };
}
