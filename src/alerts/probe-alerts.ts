// Alerts about probes at other sites: one message when a probe goes offline (not seen within its
// offline_after), one when it is back. Pure, like the rest of the policy; the bookkeeping (kept in
// the store) remembers which probes were announced offline, so a restart or a new leader neither
// repeats nor forgets one.
import type { Decision } from './policy.ts';
import type { Bookkeeping } from './policy.ts';
import { formatDuration, formatTime } from './format.ts';

export interface ProbePresence {
  readonly site: string;
  readonly online: boolean;
  /** ISO time of the probe's last request; null when never seen. */
  readonly last_seen: string | null;
}

const NOTHING = (book: Bookkeeping): Decision => ({ items: [], bookkeeping: book });

export function probePresence(book: Bookkeeping, probe: ProbePresence, at: number): Decision {
  const told = book.probes_offline[probe.site];
  const seen = probe.last_seen === null ? null : Date.parse(probe.last_seen);
  // A probe never seen has never been up: shown offline, not announced.
  if (!probe.online && seen !== null && told === undefined) {
    return {
      items: [{
        event: 'probe_offline', entity: null, status: null, message: `probe ${probe.site} offline since ${formatTime(seen)}`,
        impacted: [], at, since: seen, days: null, url: null, key: `probe:${probe.site}:offline:${seen}`,
      }],
      bookkeeping: { ...book, probes_offline: { ...book.probes_offline, [probe.site]: seen } },
    };
  }
  if (probe.online && told !== undefined) {
    const { [probe.site]: _gone, ...rest } = book.probes_offline;
    return {
      items: [{
        event: 'probe_online', entity: null, status: null,
        message: `probe ${probe.site} is back after ${formatDuration(Math.max(0, (seen ?? at) - told))}`,
        impacted: [], at, since: told, days: null, url: null, key: `probe:${probe.site}:online:${told}`,
      }],
      bookkeeping: { ...book, probes_offline: rest },
    };
  }
  return NOTHING(book);
}

/** Probes no longer configured are forgotten without a message. */
export function forgetProbes(book: Bookkeeping, sites: readonly string[]): Bookkeeping {
  const kept = Object.fromEntries(Object.entries(book.probes_offline).filter(([site]) => sites.includes(site)));
  return Object.keys(kept).length === Object.keys(book.probes_offline).length ? book : { ...book, probes_offline: kept };
}
