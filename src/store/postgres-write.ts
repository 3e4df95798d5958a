// Writes one queued batch (results, hourly aggregates, states, transitions) in one PostgreSQL
// transaction, a handful of statements per batch whatever its size: every table gets one
// multi-row INSERT fed by arrays (unnest), so a batch of 1000 results costs one round trip for
// them, not 1000, and no statement ever nears the 65,535-parameter limit.

import type { Pool, PoolClient } from 'pg';
import type { EntityState, Transition } from '../types.ts';
import type { StoredResult } from './store.ts';
import type { WriteBatch } from './queue.ts';
import { createHourlyDeltas, latencyToStore, messageToStore, STATUS_CODES } from './encoding.ts';

const ENSURE_ENTITIES = `
  INSERT INTO entities (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`;
const SELECT_ENTITIES = 'SELECT id, name FROM entities WHERE name = ANY($1::text[])';

// DO NOTHING + RETURNING tells new results from duplicate (entity, at) keys without a lookup per row.
const INSERT_RESULTS = `
  INSERT INTO results (at, entity_id, latency_ms, status, ok, message)
  SELECT * FROM unnest($1::int8[], $2::int4[], $3::int4[], $4::int2[], $5::bool[], $6::text[])
  ON CONFLICT (entity_id, at) DO NOTHING
  RETURNING entity_id, at`;
const SELECT_OLD_RESULTS = `
  SELECT r.entity_id, r.at, r.ok, r.status, r.latency_ms FROM results r
  JOIN unnest($1::int4[], $2::int8[]) AS k (entity_id, at) USING (entity_id, at)`;
const REPLACE_RESULTS = `
  UPDATE results r SET latency_ms = n.latency_ms, status = n.status, ok = n.ok, message = n.message
  FROM unnest($1::int8[], $2::int4[], $3::int4[], $4::int2[], $5::bool[], $6::text[])
    AS n (at, entity_id, latency_ms, status, ok, message)
  WHERE r.entity_id = n.entity_id AND r.at = n.at`;

// least/greatest ignore NULLs, which is what min/max of "latencies seen" needs.
const UPSERT_HOURLY = `
  INSERT INTO hourly (entity_id, hour_start, checks, successes, latency_count, latency_sum, latency_min, latency_max)
  SELECT * FROM unnest($1::int4[], $2::int8[], $3::int4[], $4::int4[], $5::int4[], $6::int8[], $7::int4[], $8::int4[])
  ON CONFLICT (entity_id, hour_start) DO UPDATE SET
    checks = hourly.checks + excluded.checks,
    successes = hourly.successes + excluded.successes,
    latency_count = hourly.latency_count + excluded.latency_count,
    latency_sum = hourly.latency_sum + excluded.latency_sum,
    latency_min = least(hourly.latency_min, excluded.latency_min),
    latency_max = greatest(hourly.latency_max, excluded.latency_max)`;

const UPSERT_LATENCY = `
  INSERT INTO hourly_latency (entity_id, hour_start, bucket, count)
  SELECT * FROM unnest($1::int4[], $2::int8[], $3::int2[], $4::int4[])
  ON CONFLICT (entity_id, hour_start, bucket) DO UPDATE SET count = hourly_latency.count + excluded.count`;

const UPSERT_STATES = `
  INSERT INTO states (entity_id, status, since, lastcheck, success_count, fail_count,
    consecutive_failures, consecutive_successes, blocked_by, message, latency_ms, extra, last_ok)
  SELECT * FROM unnest($1::int4[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[],
    $7::int4[], $8::int4[], $9::text[], $10::text[], $11::int4[], $12::text[], $13::bool[])
  ON CONFLICT (entity_id) DO UPDATE SET
    status = excluded.status, since = excluded.since, lastcheck = excluded.lastcheck,
    success_count = excluded.success_count, fail_count = excluded.fail_count,
    consecutive_failures = excluded.consecutive_failures, consecutive_successes = excluded.consecutive_successes,
    blocked_by = excluded.blocked_by, message = excluded.message, latency_ms = excluded.latency_ms,
    extra = excluded.extra, last_ok = excluded.last_ok, changed_at = clock_timestamp()`;

// ORDER BY ordinality: identity values follow the queue's order, which breaks ties in `at`.
const INSERT_TRANSITIONS = `
  INSERT INTO transitions (entity_id, at, from_status, to_status, message, blocked_by, prev_since)
  SELECT entity_id, at, from_status, to_status, message, blocked_by, prev_since
  FROM unnest($1::int4[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[])
    WITH ORDINALITY AS t (entity_id, at, from_status, to_status, message, blocked_by, prev_since, n)
  ORDER BY n`;

interface ResultColumns {
  at: number[];
  entityId: number[];
  latency: (number | null)[];
  status: number[];
  ok: boolean[];
  message: (string | null)[];
}

function resultColumns(rows: readonly { id: number; r: StoredResult }[]): ResultColumns {
  const c: ResultColumns = { at: [], entityId: [], latency: [], status: [], ok: [], message: [] };
  for (const { id, r } of rows) {
    c.at.push(r.at);
    c.entityId.push(id);
    c.latency.push(latencyToStore(r.latency_ms));
    c.status.push(STATUS_CODES[r.status]);
    c.ok.push(r.ok);
    c.message.push(messageToStore(r));
  }
  return c;
}

const columnsParams = (c: ResultColumns) => [c.at, c.entityId, c.latency, c.status, c.ok, c.message];

export function createPostgresWriter(pool: Pool): (batch: WriteBatch) => Promise<void> {
  // name -> id; ids are never deleted, so a cached one stays valid once committed.
  const ids = new Map<string, number>();

  async function resolveIds(client: PoolClient, names: Iterable<string>): Promise<string[]> {
    // Sorted, like the hourly buckets below: instances of a cluster that add the same new
    // entities at once then lock their names in one order instead of deadlocking.
    const missing = [...new Set(names)].filter((name) => !ids.has(name)).sort();
    if (missing.length === 0) return [];
    await client.query(ENSURE_ENTITIES, [missing]);
    const rows = await client.query<{ id: number; name: string }>(SELECT_ENTITIES, [missing]);
    for (const row of rows.rows) ids.set(row.name, row.id);
    return missing;
  }

  async function writeResults(client: PoolClient, results: readonly StoredResult[]): Promise<void> {
    if (results.length === 0) return;
    // One statement cannot insert the same key twice; within a batch the later result wins,
    // as it would have replaced the earlier one had they come in separate batches.
    const byKey = new Map<string, { id: number; r: StoredResult }>();
    for (const r of results) {
      const id = ids.get(r.name)!;
      byKey.set(`${id}:${r.at}`, { id, r });
    }
    const rows = [...byKey.values()];
    const deltas = createHourlyDeltas();
    const cols = resultColumns(rows);
    const inserted = await client.query<{ entity_id: number; at: number }>(
      { name: 'pulsemap_insert_results', text: INSERT_RESULTS, values: columnsParams(cols) },
    );
    if (inserted.rowCount !== rows.length) {
      // Same entity and start time as a stored result: the newer one replaces it, and the
      // hourly counts take the old one back so they keep matching the results table.
      const fresh = new Set(inserted.rows.map((row) => `${row.entity_id}:${row.at}`));
      const replaced = rows.filter(({ id, r }) => !fresh.has(`${id}:${r.at}`));
      const old = await client.query<{ entity_id: number; at: number; ok: boolean; status: number; latency_ms: number | null }>(
        SELECT_OLD_RESULTS, [replaced.map((x) => x.id), replaced.map((x) => x.r.at)],
      );
      for (const row of old.rows) deltas.add(row.entity_id, row.at, row.ok, row.latency_ms, -1, row.status);
      await client.query(REPLACE_RESULTS, columnsParams(resultColumns(replaced)));
    }
    for (const { id, r } of rows) deltas.add(id, r.at, r.ok, latencyToStore(r.latency_ms), 1, STATUS_CODES[r.status]);

    // Sorted so concurrent writers (two services on one database) lock buckets in one order.
    const hourly = [...deltas.values()].sort((a, b) => a.entityId - b.entityId || a.hour - b.hour);
    await client.query({
      name: 'pulsemap_upsert_hourly',
      text: UPSERT_HOURLY,
      values: [
        hourly.map((d) => d.entityId), hourly.map((d) => d.hour), hourly.map((d) => d.checks),
        hourly.map((d) => d.successes), hourly.map((d) => d.latencyCount), hourly.map((d) => d.latencySum),
        hourly.map((d) => d.latencyMin), hourly.map((d) => d.latencyMax),
      ],
    });
    const buckets = hourly.flatMap((d) => [...d.histogram].filter(([, n]) => n !== 0).sort(([a], [b]) => a - b).map(([bucket, n]) => ({ d, bucket, n })));
    if (buckets.length === 0) return;
    await client.query({
      name: 'pulsemap_upsert_latency',
      text: UPSERT_LATENCY,
      values: [buckets.map((x) => x.d.entityId), buckets.map((x) => x.d.hour), buckets.map((x) => x.bucket), buckets.map((x) => x.n)],
    });
  }

  async function writeStates(client: PoolClient, states: readonly EntityState[]): Promise<void> {
    if (states.length === 0) return;
    const col = <T>(f: (s: EntityState) => T): T[] => states.map(f);
    await client.query({
      name: 'pulsemap_upsert_states',
      text: UPSERT_STATES,
      values: [
        col((s) => ids.get(s.name)!), col((s) => s.status), col((s) => s.since), col((s) => s.lastcheck),
        col((s) => s.success_count), col((s) => s.fail_count), col((s) => s.consecutive_failures),
        col((s) => s.consecutive_successes), col((s) => s.blocked_by), col((s) => s.message),
        col((s) => latencyToStore(s.latency_ms)), col((s) => JSON.stringify(s.extra)), col((s) => s.last_ok),
      ],
    });
  }

  async function writeTransitions(client: PoolClient, transitions: readonly Transition[]): Promise<void> {
    if (transitions.length === 0) return;
    const col = <T>(f: (t: Transition) => T): T[] => transitions.map(f);
    await client.query({
      name: 'pulsemap_insert_transitions',
      text: INSERT_TRANSITIONS,
      values: [
        col((t) => ids.get(t.name)!), col((t) => t.at), col((t) => t.from), col((t) => t.to),
        col((t) => t.message), col((t) => t.blocked_by), col((t) => t.prev_since),
      ],
    });
  }

  return async (batch) => {
    const client = await pool.connect();
    // The pool listens for errors only on idle connections: one that dies while this batch holds
    // it would emit an unhandled 'error' and end the process. The failure reaches the query anyway.
    const ignore = (): void => {};
    client.on('error', ignore);
    let added: string[] = [];
    try {
      await client.query('BEGIN');
      added = await resolveIds(client, [
        ...batch.results.map((r) => r.name), ...batch.states.keys(), ...batch.transitions.map((t) => t.name),
      ]);
      await writeResults(client, batch.results);
      await writeStates(client, [...batch.states.values()]);
      await writeTransitions(client, batch.transitions);
      await client.query('COMMIT');
      client.off('error', ignore);
      client.release();
    } catch (error) {
      // Ids handed out inside the rolled-back transaction no longer exist.
      for (const name of added) ids.delete(name);
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
      client.off('error', ignore);
      // A connection whose state is unknown goes away instead of back into the pool.
      client.release(rolledBack ? undefined : true);
      throw error;
    }
  };
}
