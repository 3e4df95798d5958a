// Write batching shared by every store engine: callers enqueue in O(1) without I/O, and the
// engine writes whatever has accumulated in one transaction, on a timer or when a batch is full.

import type { EntityState, HistoryEntry, Transition, Uptime } from '../types.ts';
import type { Backlog, HistoryQuery, Store, StoredResult } from './store.ts';
import type { SeriesReads } from './series-sql.ts';

export interface WriteBatch {
  readonly results: readonly StoredResult[];
  /** Latest queued state per entity name: earlier ones would be overwritten in the same transaction anyway. */
  readonly states: ReadonlyMap<string, EntityState>;
  readonly transitions: readonly Transition[];
}

export interface WriteQueueOptions {
  /** Writes one batch atomically; throwing means nothing of it was written. */
  readonly write: (batch: WriteBatch) => void | Promise<void>;
  /** Timer-driven writes that fail are reported here (explicit flush() calls reject instead). */
  readonly onError: (error: unknown) => void;
  readonly flushIntervalMs?: number;
  readonly maxBatch?: number;
  /** Results (and, separately, transitions) kept while writes keep failing; the oldest beyond this are dropped. Default maxBatch * 100. */
  readonly maxPending?: number;
}

export interface WriteQueue {
  addResult(result: StoredResult, state: EntityState): void;
  addState(state: EntityState): void;
  addTransition(transition: Transition): void;
  /** Write everything queued so far; resolves once it is committed. */
  flush(): Promise<void>;
  /** Refuse further writes, then write what is queued. */
  close(): Promise<void>;
  /** Writes waiting in memory, and how many were dropped since the start because too many waited. */
  backlog(): Backlog;
}


/** After a failed write, wait a little before retrying so a broken disk is not hammered. */
const RETRY_DELAY_MS = 1_000;

export function createWriteQueue(options: WriteQueueOptions): WriteQueue {
  const intervalMs = options.flushIntervalMs ?? 200;
  const maxBatch = options.maxBatch ?? 1000;
  const maxPending = options.maxPending ?? maxBatch * 100;

  let results: StoredResult[] = [];
  let states = new Map<string, EntityState>();
  let transitions: Transition[] = [];
  let dropped = 0;
  let cancelPending: (() => void) | null = null;
  let armedDelay = 0;
  let closed = false;
  // Flushes run one after another so batches commit in the order they were queued.
  let chain: Promise<void> = Promise.resolve();

  const size = () => results.length + states.size + transitions.length;

  function cancelTimer(): void {
    cancelPending?.();
    cancelPending = null;
  }

  function onTimer(): void {
    cancelPending = null;
    flush().catch(options.onError);
  }

  // unref: a pending write must never keep the process alive on its own; close() flushes.
  function arm(delayMs: number): void {
    if (closed) return;
    if (cancelPending !== null) {
      if (armedDelay <= delayMs) return;
      cancelTimer();
    }
    armedDelay = delayMs;
    if (delayMs === 0) {
      const immediate = setImmediate(onTimer).unref();
      cancelPending = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(onTimer, delayMs).unref();
      cancelPending = () => clearTimeout(timeout);
    }
  }

  function assertOpen(): void {
    if (closed) throw new Error('store is closed');
  }

  function queued(): void {
    arm(results.length + transitions.length >= maxBatch ? 0 : intervalMs);
  }

  // A failed batch goes back in front of what was queued since, so nothing is lost on a
  // transient error (disk full, lock timeout); states queued meanwhile are newer and win.
  function requeue(batch: WriteBatch): void {
    results = [...batch.results, ...results];
    transitions = [...batch.transitions, ...transitions];
    const merged = new Map(batch.states);
    for (const [name, state] of states) merged.set(name, state);
    states = merged;
    // A write that keeps failing (or a row that can never be written) must not grow memory
    // without bound: beyond maxPending the oldest entries go, which also drops a poison row.
    // Counted, not reported: the failing write already was, and backlog() tells how many went.
    if (results.length > maxPending || transitions.length > maxPending) {
      dropped += Math.max(0, results.length - maxPending) + Math.max(0, transitions.length - maxPending);
      results = results.slice(-maxPending);
      transitions = transitions.slice(-maxPending);
    }
    arm(Math.max(intervalMs, RETRY_DELAY_MS));
  }

  async function writeNow(): Promise<void> {
    cancelTimer();
    if (size() === 0) return;
    const batch: WriteBatch = { results, states, transitions };
    results = [];
    states = new Map();
    transitions = [];
    try {
      await options.write(batch);
    } catch (error) {
      requeue(batch);
      throw error;
    }
  }

  function flush(): Promise<void> {
    const run = chain.then(writeNow);
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    addResult(result, state) {
      assertOpen();
      results.push(result);
      states.set(state.name, state);
      queued();
    },
    addState(state) {
      assertOpen();
      states.set(state.name, state);
      queued();
    },
    addTransition(transition) {
      assertOpen();
      transitions.push(transition);
      queued();
    },
    flush,
    backlog: () => ({ queued: size(), dropped }),
    // Refuses new writes first so nothing slips in behind the last flush; calling close()
    // again after a failed final write retries it.
    async close() {
      closed = true;
      cancelTimer();
      await flush();
    },
  };
}

/** The read side of a store engine; results may be sync (SQLite) or async (PostgreSQL). */
export interface EngineReads {
  loadStates(): Map<string, EntityState> | Promise<Map<string, EntityState>>;
  history(name: string, query: HistoryQuery): HistoryEntry[] | Promise<HistoryEntry[]>;
  transitions(name: string, limit: number): Transition[] | Promise<Transition[]>;
  uptime(name: string, now: number): Uptime | Promise<Uptime>;
  uptimeAll(now: number): Map<string, Uptime> | Promise<Map<string, Uptime>>;
  series: SeriesReads;
}

/** Wraps an engine's reads so each first writes what is queued: reads see every earlier save. */
export function flushingReads(queue: WriteQueue, reads: EngineReads): Pick<Store, Exclude<keyof EngineReads, 'series'> | keyof SeriesReads> {
  const { series } = reads;
  return {
    resultsBetween: async (name, from, to) => { await queue.flush(); return series.resultsBetween(name, from, to); },
    hoursBetween: async (name, from, to, step) => { await queue.flush(); return series.hoursBetween(name, from, to, step); },
    transitionsBetween: async (name, from, to) => { await queue.flush(); return series.transitionsBetween(name, from, to); },
    firstCheck: async (name) => { await queue.flush(); return series.firstCheck(name); },
    firstChecks: async () => { await queue.flush(); return series.firstChecks(); },
    loadStates: async () => { await queue.flush(); return reads.loadStates(); },
    history: async (name, query) => { await queue.flush(); return reads.history(name, query); },
    transitions: async (name, limit) => { await queue.flush(); return reads.transitions(name, limit); },
    uptime: async (name, now) => { await queue.flush(); return reads.uptime(name, now); },
    uptimeAll: async (now) => { await queue.flush(); return reads.uptimeAll(now); },
  };
}
