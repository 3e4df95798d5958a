// When each probe was last seen, and whether it is online: seen within its `offline_after`. The
// time is kept in memory and in the store's key-value area, so every instance (a probe talks to
// any of them) and a restarted one know it. Every few seconds each probe's state is judged and
// told (the alerts announce a change once; see alerts/probe-alerts.ts).
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { ProbeSite } from './config.ts';

export interface ProbeStatus {
  readonly site: string;
  readonly online: boolean;
  /** ISO time of the last authenticated request; null when never seen. */
  readonly last_seen: string | null;
}

export interface Presence {
  seen(site: string): void;
  status(): ProbeStatus[];
  close(): void;
}

/** How often probes are judged, and how often a probe's last-seen time is written at most. */
export const PRESENCE_TICK_MS = 5000;

const keyOf = (site: string): string => `probe-seen:${site}`;

export function createPresence(options: {
  readonly store: Pick<Store, 'getMeta' | 'setMeta'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly probes: () => readonly ProbeSite[];
  readonly onPresence?: (status: ProbeStatus) => void;
}): Presence {
  const { store, clock, logger } = options;
  const lastSeen = new Map<string, number>();
  const written = new Map<string, number>();
  // A probe cannot reach a server that is not running: after a start it gets its offline_after
  // again before it counts as offline (no false alarm for every probe after a long restart).
  const started = clock.now();
  let timer: unknown = null;
  let closed = false;

  function note(site: string, at: number): void {
    if (at > (lastSeen.get(site) ?? -Infinity)) lastSeen.set(site, at);
  }

  function statusOf(probe: ProbeSite, now: number): ProbeStatus {
    const at = lastSeen.get(probe.site);
    return {
      site: probe.site,
      online: at !== undefined && now - Math.max(at, started) < probe.offline_after * 1000,
      last_seen: at === undefined ? null : new Date(at).toISOString(),
    };
  }

  async function tick(): Promise<void> {
    for (const probe of options.probes()) {
      try {
        const stored = await store.getMeta(keyOf(probe.site));
        if (stored !== null && /^\d+$/.test(stored)) note(probe.site, Number(stored));
      } catch (err) {
        logger.debug({ site: probe.site, err: String(err) }, 'probes: stored last-seen time unreadable');
      }
    }
    if (closed) return;
    const now = clock.now();
    for (const probe of options.probes()) options.onPresence?.(statusOf(probe, now));
  }

  function arm(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      void tick().finally(arm);
    }, PRESENCE_TICK_MS);
    (timer as { unref?: () => void } | null)?.unref?.();
  }
  // At once: a restarted instance shows when each probe was last seen from the start.
  void tick().finally(arm);

  return {
    seen(site) {
      const now = clock.now();
      note(site, now);
      // Written at most once per tick: a busy probe costs one small write every few seconds.
      if (now - (written.get(site) ?? -Infinity) < PRESENCE_TICK_MS) return;
      written.set(site, now);
      store.setMeta(keyOf(site), String(now)).catch((err: unknown) => {
        written.delete(site);
        logger.debug({ site, err: String(err) }, 'probes: last-seen time not stored');
      });
    },
    status() {
      const now = clock.now();
      return options.probes().map((p) => statusOf(p, now));
    },
    close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
    },
  };
}
