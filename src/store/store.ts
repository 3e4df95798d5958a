import type { EntityState, HistoryEntry, Status, Transition, Uptime } from '../types.ts';

/** One check result as stored: the result plus the status it led to. */
export interface StoredResult {
  readonly name: string;
  /** Epoch ms when the check started. */
  readonly at: number;
  readonly ok: boolean;
  readonly status: Status;
  /** Rounded to whole milliseconds when stored. */
  readonly latency_ms: number | null;
  /**
   * Kept only where it explains something: failed checks, and passing ones whose status is not
   * `ok`. History returns PASSING_MESSAGE ('ok', encoding.ts) for plain passing results.
   */
  readonly message: string;
}

/** A stored result as series read it (no message). */
export interface SeriesPoint {
  readonly at: number;
  readonly ok: boolean;
  readonly status: Status;
  readonly latency_ms: number | null;
}

/** One bucket of the hourly aggregates (an hour or several), with its latency histogram (histogram.ts). */
export interface HourAggregate {
  /** Epoch ms of the hour's start. */
  readonly hour: number;
  readonly checks: number;
  readonly successes: number;
  readonly latency_count: number;
  readonly latency_sum: number;
  readonly latency_min: number | null;
  readonly latency_max: number | null;
  /** bucket -> count; empty for hours written before histograms were kept. */
  readonly histogram: ReadonlyMap<number, number>;
}

export interface HistoryQuery {
  /** Newest first, at most this many. */
  readonly limit: number;
  /** Only results strictly older than this epoch ms (pagination cursor). */
  readonly before?: number;
}

/** A message waiting for (or done with) delivery on one channel. */
export interface OutboxMessage {
  readonly id: number;
  /** telegram | webhook | email */
  readonly channel: string;
  /** Unique per transition and channel: the same key is never queued twice. */
  readonly key: string;
  /** Channel-specific JSON document. */
  readonly payload: string;
  /** Epoch ms. */
  readonly created_at: number;
  readonly attempts: number;
  /** Epoch ms of the next attempt. */
  readonly next_attempt_at: number;
  readonly last_error: string | null;
}

export interface NewOutboxMessage {
  readonly channel: string;
  readonly key: string;
  readonly payload: string;
  readonly created_at: number;
}

/** Writes waiting in memory (queue.ts). */
export interface Backlog {
  /** Results, states and transitions not written yet. */
  readonly queued: number;
  /** Results and transitions dropped, oldest first, while writes kept failing (since the start). */
  readonly dropped: number;
}

/**
 * The embedded or external store. Writes of results, states and transitions are queued and
 * written in batches (one transaction per batch); reads see everything queued so far because
 * they flush first.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  /** Current state of every entity ever seen, by name. */
  loadStates(): Promise<Map<string, EntityState>>;

  /** Queue a result and the state it produced. */
  saveResult(result: StoredResult, state: EntityState): void;
  /** Queue a state on its own (a status change without a new result). */
  saveState(state: EntityState): void;
  /** Queue a transition. */
  saveTransition(transition: Transition): void;
  /** Write everything queued. */
  flush(): Promise<void>;
  /** Writes queued in memory, and how many were dropped because too many waited (see queue.ts). */
  backlog(): Backlog;

  history(name: string, query: HistoryQuery): Promise<HistoryEntry[]>;
  transitions(name: string, limit: number): Promise<Transition[]>;
  /** Uptime windows ending at `now`, from hourly aggregates (null where nothing was checked). */
  uptime(name: string, now: number): Promise<Uptime>;
  /** uptime() of every entity ever seen, in one query (all windows null where nothing was checked). */
  uptimeAll(now: number): Promise<Map<string, Uptime>>;
  /** Raw results with from <= at < to, oldest first. */
  resultsBetween(name: string, from: number, to: number): Promise<SeriesPoint[]>;
  /**
   * Hour aggregates with from <= hour start < to, oldest first, summed into buckets of `step`
   * ms (a multiple of an hour, default one) that start at `from`; `hour` is the bucket's start.
   */
  hoursBetween(name: string, from: number, to: number, step?: number): Promise<HourAggregate[]>;
  /**
   * Status changes with from <= at < to, oldest first, preceded by the last change before
   * `from` when there is one (it tells the status at `from`).
   */
  transitionsBetween(name: string, from: number, to: number): Promise<Transition[]>;
  /** Epoch ms of the entity's first stored check (the hour's start once its raw results are pruned); null when never checked. */
  firstCheck(name: string): Promise<number | null>;
  /** firstCheck() of every entity that was ever checked, in one query. */
  firstChecks(): Promise<Map<string, number>>;
  /**
   * Delete raw results older than `olderThan` (epoch ms), in small batches, and hourly aggregates,
   * transitions and finished outbox messages older than `aggregatesOlderThan`; returns the
   * number of raw results removed.
   */
  prune(olderThan: number, aggregatesOlderThan: number): Promise<number>;

  /** Queue a message; returns false when its key was queued before (never sent twice). */
  outboxAdd(message: NewOutboxMessage): Promise<boolean>;
  /** Messages due at `now`, oldest first (order per channel is kept by the caller). */
  outboxDue(now: number, limit: number): Promise<OutboxMessage[]>;
  outboxSent(id: number, at: number): Promise<void>;
  outboxRetry(id: number, error: string, nextAttemptAt: number): Promise<void>;
  outboxDrop(id: number, reason: string, at: number): Promise<void>;
  /** Messages not yet sent or dropped. */
  outboxDepth(): Promise<number>;

  /** A small key-value area for bookkeeping (alert reminders, certificate warnings). */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Several keys in one transaction (the last value of a key given twice wins). */
  setMetaMany(entries: readonly (readonly [string, string])[]): Promise<void>;

  close(): Promise<void>;
}
