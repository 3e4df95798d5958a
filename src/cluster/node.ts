// One instance of a cluster: joins by lease, splits the entities with the live instances, reads
// what the others write, leads the alerts while it holds the alerter's lease, and describes the
// whole cluster for GET /cluster and /health.
import type { ProbeStatus } from '../probes/presence.ts';
import pg from 'pg';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { ClusterConfig, Config } from '../types.ts';
import { redact, types } from '../store/postgres.ts';
import { assignEntities, placementKeys } from './assign.ts';
import { createStateFeed } from './feed.ts';
import type { Term } from './fenced-store.ts';
import { createMembership } from './membership.ts';
import type { Queryable, Snapshot } from './membership.ts';
import { CHANNEL } from './sql.ts';

export interface ClusterNodeOptions {
  /** postgres:// URL of the shared store. */
  readonly url: string;
  readonly cluster: ClusterConfig;
  readonly instance: string;
  /** Hash of this instance's entities.yaml, compared with the others'. */
  readonly configHash: () => string;
  readonly monitor: Monitor;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** This instance took the alerter's lease (a term with its epoch), or lost it (null). */
  readonly onLeadership: (term: Term | null) => void;
  /** Renewal period; default a third of the lease, at most 2 s. */
  readonly renewMs?: number;
  /** How often the others' states are read; default 1 s. */
  readonly pollMs?: number;
}

export interface ClusterInstanceView {
  readonly id: string;
  readonly alive: boolean;
  readonly entities: number;
  readonly config_hash: string;
  readonly last_seen: string;
  readonly epoch: number;
}

export interface ClusterView {
  readonly name: string;
  readonly self: string;
  readonly leader: string | null;
  readonly epoch: number | null;
  readonly fenced: { readonly since: string; readonly reason: string } | null;
  readonly config_hash: string;
  /** Some live instance runs another entities.yaml. */
  readonly config_mismatch: boolean;
  readonly instances: readonly ClusterInstanceView[];
  /** Probes at other sites (filled in by the HTTP layer, which knows them). */
  readonly probes: readonly ProbeStatus[];
}

export interface ClusterNode {
  /** For the alerter's fenced writes. */
  readonly pool: pg.Pool;
  /** Joins, decides this instance's entities, starts reading the others' states. */
  start(): Promise<void>;
  view(): ClusterView;
  /** Whether this instance stood down (no checks, no alerts). */
  fenced(): boolean;
  /** Gives up the leases at once and stops. */
  close(): Promise<void>;
}

export function createClusterNode(options: ClusterNodeOptions): ClusterNode {
  const { cluster, instance, monitor, logger } = options;
  const clock = options.clock ?? systemClock;
  const leaseMs = cluster.lease * 1000;
  const clean = redact(options.url);
  const connection = {
    connectionString: options.url, types, application_name: 'pulsemap-cluster', keepAlive: true,
    // A statement that hangs must fail, so the next renewal is tried; by then the lease is nearly
    // gone anyway (the instance stands down at lease - margin), so a busy process gets that long.
    connectionTimeoutMillis: leaseMs, query_timeout: leaseMs,
  };
  const pool = new pg.Pool({ ...connection, max: 3 });
  pool.on('error', () => {}); // a dropped idle connection is replaced on next use
  const db: Queryable = {
    query: async (text, values) => {
      try {
        return await pool.query(text, values);
      } catch (err) {
        throw clean(err);
      }
    },
  };

  let snapshot: Snapshot = { members: [], leader: null };
  let assignment = new Map<string, string | null>();
  let keysFor: { config: Config; keys: Map<string, string> } | null = null;
  let placed: { config: Config; alive: string } | null = null;
  let listener: pg.Client | null = null;

  function keys(): Map<string, string> {
    const config = monitor.config();
    if (keysFor?.config !== config) keysFor = { config, keys: placementKeys(config) };
    return keysFor.keys;
  }

  function place(alive: readonly string[]): void {
    const config = monitor.config();
    const signature = alive.join('\n');
    if (placed?.config === config && placed.alive === signature) return;
    assignment = assignEntities(keys(), alive);
    const owned = new Set<string>();
    for (const [name, owner] of assignment) if (owner === instance) owned.add(name);
    if (placed?.alive !== signature) logger.info({ cluster: cluster.name, instances: alive, entities: owned.size }, 'cluster: membership changed; entities split again');
    placed = { config, alive: signature };
    monitor.assign(owned);
  }

  function onSnapshot(next: Snapshot): void {
    snapshot = next;
    const alive = next.members.filter((m) => m.alive).map((m) => m.id);
    if (!alive.includes(instance)) alive.push(instance);
    alive.sort();
    place(alive);
    const lead = next.leader?.id === instance && next.leader.alive ? next.leader : null;
    options.onLeadership(lead ? { cluster: cluster.name, instance, epoch: lead.epoch } : null);
    if (listener === null) void listen();
  }

  function onFence(): void {
    placed = null;
    monitor.assign(new Set());
    options.onLeadership(null);
  }

  const membership = createMembership({
    db, cluster: cluster.name, instance, leaseMs, renewMs: options.renewMs, configHash: options.configHash, clock, logger, onSnapshot, onFence,
  });
  const feed = createStateFeed({ db, clock, logger, pollMs: options.pollMs, onStates: (states) => monitor.observe(states) });

  /** Peers announce joins and clean stops; the lease rows stay the only truth. */
  async function listen(): Promise<void> {
    const client = new pg.Client(connection);
    listener = client;
    client.on('error', () => {
      if (listener === client) listener = null;
      void client.end().catch(() => undefined);
    });
    client.on('notification', () => membership.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      if (listener === client) listener = null;
      await client.end().catch(() => undefined);
    }
  }

  let closing: Promise<void> | null = null;
  return {
    pool,
    async start() {
      monitor.assign(new Set());
      await membership.start();
      await feed.start();
    },
    view() {
      const counts = new Map<string, number>();
      for (const owner of assignment.values()) if (owner !== null) counts.set(owner, (counts.get(owner) ?? 0) + 1);
      const own = options.configHash();
      const fence = membership.fenced();
      const leader = snapshot.leader?.alive ? snapshot.leader : null;
      return {
        name: cluster.name,
        self: instance,
        leader: leader?.id ?? null,
        epoch: leader?.epoch ?? null,
        fenced: fence ? { since: new Date(fence.since).toISOString(), reason: fence.reason } : null,
        config_hash: own,
        config_mismatch: snapshot.members.some((m) => m.alive && m.config_hash !== own),
        instances: snapshot.members.map((m) => ({
          id: m.id, alive: m.alive, entities: m.alive ? counts.get(m.id) ?? 0 : 0,
          config_hash: m.config_hash, last_seen: new Date(m.last_seen).toISOString(), epoch: m.epoch,
        })),
        probes: [],
      };
    },
    fenced: () => membership.fenced() !== null,
    close() {
      closing ??= (async () => {
        await feed.close();
        await membership.close();
        const l = listener;
        listener = null;
        await l?.end().catch(() => undefined);
        await pool.end().catch(() => undefined);
      })();
      return closing;
    },
  };
}
