// The alerter's writes, fenced by its epoch: each runs in a transaction that first locks the
// leader row and finds its own epoch there, so an instance that lost the lease (paused, cut off)
// cannot queue, claim or record a message, nor overwrite the bookkeeping, once another leads.
import type { Pool, PoolClient } from 'pg';
import type { Store } from '../store/store.ts';
import { createPostgresReads } from '../store/postgres-read.ts';
import { CLAIM_MESSAGE, HOLDS_LEADER } from './sql.ts';

export interface Term {
  readonly cluster: string;
  readonly instance: string;
  readonly epoch: number;
}

export class NotLeaderError extends Error {
  constructor(term: Term) {
    super(`instance ${term.instance} no longer leads cluster ${term.cluster} (epoch ${term.epoch} is over)`);
    this.name = 'NotLeaderError';
  }
}

export interface FencedStore extends Store {
  /** Claims a pending message for delivery; false when this term is over or the message is done. */
  outboxClaim(id: number): Promise<boolean>;
}

export function fencedStore(store: Store, pool: Pool, term: Term): FencedStore {
  async function asLeader<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A connection that dies while held here must fail this call, not end the process (the
    // pool listens for errors only on idle connections).
    const ignore = (): void => {};
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const held = await client.query(HOLDS_LEADER, [term.cluster, term.instance, term.epoch]);
      if (held.rowCount !== 1) throw new NotLeaderError(term);
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  }
  const writes = (client: PoolClient) => createPostgresReads(client);

  return {
    ...store,
    outboxAdd: (message) => asLeader((c) => writes(c).outboxAdd(message)),
    outboxSent: (id, at) => asLeader((c) => writes(c).outboxSent(id, at)),
    outboxRetry: (id, error, next) => asLeader((c) => writes(c).outboxRetry(id, error, next)),
    outboxDrop: (id, reason, at) => asLeader((c) => writes(c).outboxDrop(id, reason, at)),
    setMeta: (key, value) => asLeader((c) => writes(c).setMeta(key, value)),
    setMetaMany: (entries) => asLeader((c) => writes(c).setMetaMany(entries)),
    async outboxClaim(id) {
      try {
        return await asLeader(async (c) => (await c.query(CLAIM_MESSAGE, [term.instance, term.epoch, id])).rowCount === 1);
      } catch (err) {
        if (err instanceof NotLeaderError) return false;
        throw err;
      }
    },
  };
}
