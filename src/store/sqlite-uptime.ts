// Uptime from the hourly aggregates. One entity costs a primary-key range over its last ~720
// hour buckets. All entities at once (GET /entities) would cost that times thousands on every
// call, so uptimeAll keeps the sums of settled hours, which only change when an old result
// arrives late or is pruned, and adds the last two hours live.

import type { DatabaseSync } from 'node:sqlite';
import type { Uptime } from '../types.ts';
import { HOUR_MS, hourStart, uptimeBounds, uptimeFromSums } from './encoding.ts';
import type { UptimeSums } from './encoding.ts';

export interface SqliteUptime {
  uptime(name: string, now: number): Uptime;
  uptimeAll(now: number): Map<string, Uptime>;
  /** Hour buckets from `oldestHour` on were written or deleted. */
  changed(oldestHour: number): void;
}

// Sums per window over hour buckets; see uptimeBounds for the window definition.
const UPTIME_SUMS = `
  sum(CASE WHEN h.hour_start >= $from24h THEN h.checks END) AS c24,
  sum(CASE WHEN h.hour_start >= $from24h THEN h.successes END) AS s24,
  sum(CASE WHEN h.hour_start >= $from7d THEN h.checks END) AS c7,
  sum(CASE WHEN h.hour_start >= $from7d THEN h.successes END) AS s7,
  sum(h.checks) AS c30,
  sum(h.successes) AS s30`;

type NamedSums = UptimeSums & { name: string };

interface Settled {
  /** hourStart(now) the sums were computed for: the windows' starts move with it. */
  readonly hour: number;
  /** Buckets before this are in `sums`; later ones are read live. */
  readonly until: number;
  readonly sums: ReadonlyMap<string, UptimeSums>;
}

const add = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));

export function createSqliteUptime(db: DatabaseSync): SqliteUptime {
  const selectOne = db.prepare(`
    SELECT ${UPTIME_SUMS} FROM hourly h
    WHERE h.entity_id = (SELECT id FROM entities WHERE name = $name)
      AND h.hour_start >= $from30d AND h.hour_start <= $to`);
  // The LEFT JOIN drives the loop from entities: a primary-key range per entity, never a scan
  // of the whole aggregate table (400 days of it).
  const selectSettled = db.prepare(`
    SELECT e.name, ${UPTIME_SUMS} FROM entities e
    LEFT JOIN hourly h ON h.entity_id = e.id AND h.hour_start >= $from30d AND h.hour_start < $until
    GROUP BY e.id`);
  const selectRecent = db.prepare(`
    SELECT e.name, sum(h.checks) AS checks, sum(h.successes) AS successes FROM entities e
    JOIN hourly h ON h.entity_id = e.id AND h.hour_start >= $from AND h.hour_start <= $to
    GROUP BY e.id`);
  const selectNames = db.prepare('SELECT name FROM entities');

  let settled: Settled | null = null;

  function settledFor(now: number): Settled {
    const hour = hourStart(now);
    if (settled?.hour === hour) return settled;
    const { from24h, from7d, from30d } = uptimeBounds(now);
    // The previous hour stays live too: checks running across the hour boundary land in it
    // just after the hour turns, and would otherwise invalidate the cache every hour.
    const until = hour - HOUR_MS;
    const rows = selectSettled.all({ from24h, from7d, from30d, until }) as unknown as NamedSums[];
    settled = { hour, until, sums: new Map(rows.map((row) => [row.name, row])) };
    return settled;
  }

  return {
    uptime(name, now) {
      return uptimeFromSums(selectOne.get({ name, ...uptimeBounds(now) }) as unknown as UptimeSums);
    },

    uptimeAll(now) {
      const base = settledFor(now);
      const recent = selectRecent.all({ from: base.until, to: now }) as unknown as { name: string; checks: number; successes: number }[];
      const live = new Map(recent.map((row) => [row.name, row]));
      const all = new Map<string, Uptime>();
      const none: UptimeSums = { c24: null, s24: null, c7: null, s7: null, c30: null, s30: null };
      // Every entity ever seen gets an entry, also one created after the settled sums were taken.
      for (const { name } of selectNames.all() as { name: string }[]) {
        const s = base.sums.get(name) ?? none;
        const l = live.get(name);
        const c = l?.checks ?? null;
        const ok = l?.successes ?? null;
        all.set(name, uptimeFromSums({
          c24: add(s.c24, c), s24: add(s.s24, ok), c7: add(s.c7, c), s7: add(s.s7, ok), c30: add(s.c30, c), s30: add(s.s30, ok),
        }));
      }
      return all;
    },

    changed(oldestHour) {
      if (settled !== null && oldestHour < settled.until) settled = null;
    },
  };
}
