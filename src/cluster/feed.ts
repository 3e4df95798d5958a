// What the other instances wrote: every state row changed since the last read, polled about once
// a second (LISTEN/NOTIFY is not needed for this: the poll is cheap and cannot miss a change).
import type { EntityState } from '../domain.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { stateFromRow } from '../store/encoding.ts';
import type { StateRow } from '../store/encoding.ts';
import type { Queryable } from './membership.ts';
import { SELECT_CHANGED_STATES } from './sql.ts';

export interface StateFeedOptions {
  readonly db: Queryable;
  readonly onStates: (states: EntityState[]) => void;
  readonly clock?: Clock;
  readonly logger: Logger;
  /** Default 1 s. */
  readonly pollMs?: number;
}

export interface StateFeed {
  /** Reads everything once, then polls. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A write commits a little after its row's changed_at is taken, so each read looks this far back
 * behind the previous one; rows seen twice are skipped by the monitor as unchanged.
 */
const LOOKBACK = '10 seconds';
/** Every this many polls all rows are read again, whatever a long transaction may have hidden. */
const FULL_EVERY = 60;

export function createStateFeed(options: StateFeedOptions): StateFeed {
  const { db, logger } = options;
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollMs ?? 1_000;
  let since = '-infinity';
  let polls = 0;
  let timer: unknown = null;
  let inFlight: Promise<void> | null = null;
  let closed = false;

  async function poll(): Promise<void> {
    const from = polls++ % FULL_EVERY === 0 ? '-infinity' : since;
    const now = await db.query<{ now: string }>(`SELECT (now() - interval '${LOOKBACK}')::text AS now`);
    const { rows } = await db.query<StateRow & Record<string, unknown>>(SELECT_CHANGED_STATES, [from]);
    since = now.rows[0]!.now;
    if (!closed && rows.length > 0) options.onStates(rows.map(stateFromRow));
  }

  function arm(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      timer = null;
      inFlight = poll()
        .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cluster: reading states failed'))
        .finally(() => { inFlight = null; arm(); });
    }, pollMs);
  }

  return {
    async start() {
      await poll().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cluster: reading states failed'));
      arm();
    },
    async close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      await inFlight;
    },
  };
}
