// The assigned checks, each on its own timer (the monitor's scheduler: no overlap, a slow target
// delays only itself), run by the same check runner as the server's. A new assignment list
// changes only what changed: unchanged entities keep their timers.
import { runCheck } from '../checks/index.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { firstCheckDelay } from '../monitor/plan.ts';
import { createScheduler } from '../monitor/scheduler.ts';
import { createLimiter } from '../monitor/limiter.ts';
import { createPacer } from '../monitor/pacer.ts';
import { buildAssigned } from './assignment.ts';
import type { Assigned, Assignment } from './assignment.ts';
import type { ProbeResult } from './queue.ts';
import type { CheckOutcome } from '../domain.ts';

/** First checks are spread over this many seconds at most (or the interval, if shorter). */
const START_SPREAD_SECONDS = 10;
/** The most checks a probe runs at once; within it, paced as the server paces its own. */
const MAX_IN_FLIGHT = 1000;

export interface RunnerOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Run `type: command` assignments (programs on this machine); refused otherwise. */
  readonly allowCommands?: boolean;
  readonly onResult: (result: ProbeResult) => void;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** The event loop's utilization since the last call, for pacing checks (tests inject it). */
  readonly busy?: () => number;
}

export interface AppliedChange {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  /** Definitions this probe cannot run, with the reason each failing result carries. */
  readonly problems: readonly { readonly name: string; readonly problem: string }[];
}

export interface Runner {
  apply(assignments: readonly Assignment[]): AppliedChange;
  /** Names currently assigned, in the server's order. */
  names(): string[];
  /** Checks running, waiting for a slot, and the paced limit. */
  load(): { readonly limit: number; readonly active: number; readonly waiting: number };
  /** Stops every timer and aborts checks in flight; resolves when they have ended. */
  close(): Promise<void>;
}

export function createRunner(options: RunnerOptions): Runner {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const stopping = new AbortController();
  let current = new Map<string, Assigned>();
  /** Each current definition as received: an identical one is not built again (about 1 ms each). */
  let received = new Map<string, string>();

  const intervalOf = (a: Assigned): number => ('entity' in a ? a.entity.interval : a.interval);

  // As on the server (src/monitor/pacer.ts): a probe on a small board that cannot run every due
  // check at once runs what it can and sends the rest late, instead of failing them as timeouts.
  const limiter = createLimiter(MAX_IN_FLIGHT);
  const pacer = createPacer({ limiter, clock, max: MAX_IN_FLIGHT, busy: options.busy });
  pacer.start();

  async function run(name: string, _lateMs: number, now: boolean): Promise<void> {
    if (!current.has(name)) return;
    const queued = limiter.acquire(now);
    if (queued !== null && !(await queued.granted)) return;
    const assigned = current.get(name);
    let outcome: CheckOutcome;
    // The time the check started, as the server records its own checks.
    const startedAt = clock.now();
    try {
      if (assigned === undefined) return;
      outcome = 'entity' in assigned
        ? await runCheck(assigned.entity, { signal: stopping.signal, now: () => clock.now() })
        : { ok: false, degraded: false, latency_ms: null, message: assigned.problem, extra: {} };
    } finally {
      limiter.release();
    }
    // A check of a definition replaced or withdrawn meanwhile says nothing about the current one.
    if (current.get(name) !== assigned || stopping.signal.aborted) return;
    options.onResult({
      entity: name,
      at: new Date(startedAt).toISOString(),
      ok: outcome.ok,
      latency_ms: outcome.latency_ms,
      message: outcome.message,
      extra: outcome.extra,
    });
  }

  const scheduler = createScheduler({
    clock,
    run,
    nextDelay: (name) => intervalOf(current.get(name)!) * 1000,
  });

  function firstDelay(a: Assigned): number {
    if ('entity' in a) return firstCheckDelay(a.entity, null, clock.now(), random(), START_SPREAD_SECONDS);
    return 0;
  }

  return {
    apply(assignments) {
      const next = new Map<string, Assigned>();
      const nextReceived = new Map<string, string>();
      for (const assignment of assignments) {
        const raw = JSON.stringify(assignment);
        const same = received.get(assignment.name) === raw ? current.get(assignment.name) : undefined;
        next.set(assignment.name, same ?? buildAssigned(assignment, options.env, options.allowCommands ?? false));
        nextReceived.set(assignment.name, raw);
      }
      received = nextReceived;
      const added: string[] = [];
      const changed: string[] = [];
      const removed = [...current.keys()].filter((name) => !next.has(name));
      const previous = current;
      // Unchanged definitions keep their object, so a check in flight still delivers its result.
      for (const [name, a] of next) {
        const old = previous.get(name);
        if (old !== undefined && old.fingerprint === a.fingerprint) next.set(name, old);
      }
      current = next;
      for (const name of removed) scheduler.remove(name);
      for (const [name, a] of next) {
        const old = previous.get(name);
        if (old === a) continue;
        if (old === undefined) added.push(name);
        else {
          changed.push(name);
          scheduler.remove(name);
        }
        scheduler.add(name, firstDelay(a));
      }
      const problems = [...next.values()].flatMap((a) => ('problem' in a ? [{ name: a.name, problem: a.problem }] : []));
      return { added, changed, removed, problems };
    },
    names: () => [...current.keys()],
    load: () => ({ limit: pacer.limit, active: limiter.active, waiting: limiter.waiting }),
    async close() {
      scheduler.stop();
      stopping.abort();
      pacer.stop();
      limiter.cancelAll();
      await Promise.all(scheduler.inFlight());
    },
  };
}
