// The verdict of an entity checked at several sites, from the latest result of each. Pure.
//
// A site's result counts while it is fresh: `at >= now - (2 * interval + timeout)`, so one late
// or lost round does not drop a site, two do. With n locations and quorum k: k or more fresh
// failures fail the check (the state machine goes on as for any failed check: pending, error,
// blocked, alerts); fewer make it degraded; none, with at least one fresh pass, is ok. With no
// fresh result at all there is no verdict: a probe that stops reporting is unknown, never down.
import type { CheckOutcome, Extra, Placement } from '../domain.ts';
import { LOCAL_SITE } from './config.ts';

export interface SiteResult {
  /** Epoch ms when the check started at the site. */
  readonly at: number;
  readonly ok: boolean;
  /** Passing but slow or close to a certificate's expiry (the local check says so; probes do not). */
  readonly degraded?: boolean;
  readonly latency_ms: number | null;
  readonly message: string;
  readonly extra: Extra;
}

/** What the verdict needs of an entity. */
export interface Judged {
  readonly placement: Placement;
  /** Seconds. */
  readonly interval: number;
  readonly timeout: number;
}

/** How long a site's result counts, in ms. */
export const freshForMs = (entity: Pick<Judged, 'interval' | 'timeout'>): number => (2 * entity.interval + entity.timeout) * 1000;

export function isFresh(result: SiteResult, entity: Pick<Judged, 'interval' | 'timeout'>, now: number): boolean {
  return result.at >= now - freshForMs(entity);
}

const MAX_SITE_MESSAGE = 120;

function short(message: string): string {
  return message.length <= MAX_SITE_MESSAGE ? message : `${message.slice(0, MAX_SITE_MESSAGE - 1)}…`;
}

/** `fra refused; nyc timeout after 10 s` */
function naming(failing: readonly [string, SiteResult][]): string {
  return failing.map(([site, r]) => `${site} ${short(r.message)}`).join('; ');
}

/** Marks of equal width in a map cell, so a site's change never needs a new layout. */
const MARK = { ok: '✓', failing: '✗', none: '–' } as const;

/**
 * Each site with a mark: `fra ✓ nyc ✗ local –` (– = no fresh result). It goes into the outcome's
 * figures, so the map cell shows it, and other instances read it with the state.
 */
export function sitesLine(locations: readonly string[], fresh: ReadonlyMap<string, SiteResult>): string {
  return locations.map((site) => {
    const r = fresh.get(site);
    return `${site} ${r === undefined ? MARK.none : r.ok ? MARK.ok : MARK.failing}`;
  }).join(' ');
}

/** The entity's check outcome from its sites' latest results, or null when no result is fresh. */
export function judgeSites(entity: Judged, sites: ReadonlyMap<string, SiteResult>, now: number): CheckOutcome | null {
  const { locations, quorum } = entity.placement;
  const fresh: [string, SiteResult][] = [];
  for (const site of locations) {
    const result = sites.get(site);
    if (result && isFresh(result, entity, now)) fresh.push([site, result]);
  }
  if (fresh.length === 0) return null;
  const failing = fresh.filter(([, r]) => !r.ok);
  const local = fresh.find(([site]) => site === LOCAL_SITE)?.[1];
  // Figures come from the instance's own check when it has one, else from the first fresh site.
  const figures = local ?? fresh[0]![1];
  const latency_ms = figures.latency_ms;
  const extra: Extra = { ...(local ? local.extra : {}), sites: sitesLine(locations, new Map(fresh)) };
  const n = locations.length;
  if (failing.length >= quorum) {
    return { ok: false, degraded: false, latency_ms, message: `${failing.length} of ${n} sites failing: ${naming(failing)}`, extra };
  }
  if (failing.length > 0) {
    return { ok: true, degraded: true, latency_ms, message: `${failing.length} of ${n} sites failing: ${naming(failing)}`, extra };
  }
  const slow = fresh.filter(([, r]) => r.degraded === true);
  if (slow.length > 0) return { ok: true, degraded: true, latency_ms, message: naming(slow), extra };
  const passing = fresh.map(([site]) => site).join(', ');
  return { ok: true, degraded: false, latency_ms, message: `ok at ${fresh.length} of ${n} sites (${passing})`, extra };
}
