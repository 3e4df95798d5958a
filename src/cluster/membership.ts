// Membership by lease rows: each instance renews its row (and tries for the alerter's lease)
// every couple of seconds and reads who else is alive, all judged by the database's clock. An
// instance that has not renewed for nearly a lease stands down by itself (self-fencing) before
// the others can count it gone, and comes back once a renewal succeeds again.
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import {
  CHANNEL, CLAIM_LEADER, FORGET_MEMBERS, RELEASE_LEADER, RELEASE_MEMBER, RENEW_MEMBER, SELECT_LEADER, SELECT_MEMBERS,
} from './sql.ts';

export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface Member {
  readonly id: string;
  readonly epoch: number;
  readonly alive: boolean;
  readonly config_hash: string;
  /** Epoch ms (database clock) of the last renewal. */
  readonly last_seen: number;
}

export interface Snapshot {
  readonly members: readonly Member[];
  /** The alerter's lease; null before anyone took it. */
  readonly leader: { readonly id: string; readonly epoch: number; readonly alive: boolean } | null;
}

export interface MembershipOptions {
  readonly db: Queryable;
  readonly cluster: string;
  readonly instance: string;
  readonly leaseMs: number;
  /** Default: a third of the lease, at most 2 s. */
  readonly renewMs?: number;
  readonly configHash: () => string;
  readonly clock?: Clock;
  readonly logger: Logger;
  /** A renewal succeeded: who is alive and who leads, as the database saw it. */
  readonly onSnapshot: (snapshot: Snapshot) => void;
  /** This instance stood down: no checks, no alerts until a renewal succeeds. */
  readonly onFence: (reason: string) => void;
}

export interface Membership {
  /**
   * Tries to join at once, then renews on a timer. Until a renewal succeeds the instance counts
   * as standing down (nothing checked, nothing alerted), so a slow first answer never stops it.
   */
  start(): Promise<void>;
  /** Renews now (a peer announced a change) unless a renewal is in flight. */
  wake(): void;
  fenced(): { readonly since: number; readonly reason: string } | null;
  /** Stops renewing and gives up both leases at once, so the others take over without waiting. */
  close(): Promise<void>;
}

/** Stand down this long before the lease ends: the others see it lapse only after that. */
export function fenceMarginMs(leaseMs: number): number {
  return Math.min(5_000, Math.floor(leaseMs / 4));
}

export function createMembership(options: MembershipOptions): Membership {
  const { db, cluster, instance, leaseMs, logger } = options;
  const clock = options.clock ?? systemClock;
  const renewMs = options.renewMs ?? Math.min(2_000, Math.floor(leaseMs / 3));
  const margin = fenceMarginMs(leaseMs);
  let renewedAt: number | null = null;
  let fence: { since: number; reason: string } | null = { since: clock.now(), reason: 'not joined yet' };
  let lastError = 'no renewal yet';
  let inFlight: Promise<void> | null = null;
  let timer: unknown = null;
  let fenceTimer: unknown = null;
  let ticks = 0;
  let joined = false;
  let closed = false;

  async function renew(): Promise<Snapshot> {
    await db.query(RENEW_MEMBER, [cluster, instance, options.configHash(), leaseMs]);
    await db.query(CLAIM_LEADER, [cluster, instance, leaseMs]);
    if (ticks++ % 1000 === 0) await db.query(FORGET_MEMBERS, [cluster]);
    const members = await db.query<{ instance: string; epoch: number; alive: boolean; config_hash: string; last_seen: number }>(SELECT_MEMBERS, [cluster]);
    const leader = await db.query<{ instance: string; epoch: number; alive: boolean }>(SELECT_LEADER, [cluster]);
    const row = leader.rows[0];
    return {
      members: members.rows.map((m) => ({ id: m.instance, epoch: Number(m.epoch), alive: m.alive, config_hash: m.config_hash, last_seen: Number(m.last_seen) })),
      leader: row ? { id: row.instance, epoch: Number(row.epoch), alive: row.alive } : null,
    };
  }

  /** Stands down when the lease (less the margin) runs out without a renewal in between. */
  function armFence(): void {
    if (fenceTimer !== null) clock.clearTimeout(fenceTimer);
    fenceTimer = null;
    if (closed || renewedAt === null) return;
    fenceTimer = clock.setTimeout(() => { fenceTimer = null; checkFence(); }, Math.max(0, renewedAt + leaseMs - margin - clock.now()) + 1);
  }

  function checkFence(): void {
    if (fence !== null || renewedAt === null || closed) return;
    const silent = clock.now() - renewedAt;
    if (silent <= leaseMs - margin) return armFence();
    const reason = `lease not renewed for ${Math.round(silent)} ms: ${lastError}`;
    fence = { since: clock.now(), reason };
    logger.error({ cluster, instance, reason }, 'cluster: standing down (no checks, no alerts) until the lease is renewed');
    options.onFence(reason);
  }

  function tick(): Promise<void> {
    if (inFlight) return inFlight;
    const sentAt = clock.now();
    inFlight = renew().then(
      (snapshot) => {
        if (closed) return;
        // An answer this late proves nothing about now: the lease may have lapsed meanwhile.
        if (clock.now() - sentAt >= leaseMs - margin) {
          lastError = `renewal answered after ${clock.now() - sentAt} ms`;
          return;
        }
        renewedAt = sentAt;
        armFence();
        if (fence !== null) {
          logger.info({ cluster, instance }, joined ? 'cluster: lease renewed again; back at work' : 'cluster: joined');
          joined = true;
          fence = null;
        }
        options.onSnapshot(snapshot);
      },
      (err: unknown) => {
        lastError = err instanceof Error ? err.message : String(err);
        logger.warn({ cluster, instance, err: lastError }, 'cluster: lease renewal failed');
        if (fence !== null && !joined) fence = { since: fence.since, reason: `not joined yet: ${lastError}` };
      },
    ).finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  function arm(): void {
    if (closed) return;
    timer = clock.setTimeout(() => {
      timer = null;
      void tick();
      arm();
    }, renewMs);
  }

  return {
    async start() {
      await tick();
      if (fence === null) await db.query(`NOTIFY ${CHANNEL}`).catch(() => undefined);
      arm();
    },
    wake() {
      if (!closed) void tick();
    },
    fenced: () => fence,
    async close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      if (fenceTimer !== null) clock.clearTimeout(fenceTimer);
      await inFlight;
      try {
        await db.query(RELEASE_LEADER, [cluster, instance]);
        await db.query(RELEASE_MEMBER, [cluster, instance]);
        await db.query(`NOTIFY ${CHANNEL}`);
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cluster: could not hand over at stop; the others wait for the lease');
      }
    },
  };
}
