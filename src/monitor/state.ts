// The state machine: a pure reducer from (state, check result, dependency states) to the next
// state and the transition it caused. Every status rule of the product lives here.
import type { CheckResult, Entity, EntityState, Status, Transition } from '../types.ts';
import { walkGraph } from '../config/graph.ts';

/** What the reducer may know about other entities: their current state and dependencies. */
export interface DependencyLookup {
  state(name: string): EntityState | undefined;
  dependencies(name: string): readonly string[];
}

export interface Reduction {
  readonly state: EntityState;
  readonly transition: Transition | null;
}

export function initialState(name: string): EntityState {
  return {
    name, status: 'unknown', since: null, lastcheck: null,
    success_count: 0, fail_count: 0, consecutive_failures: 0, consecutive_successes: 0,
    blocked_by: null, message: 'not checked yet', latency_ms: null, extra: {}, last_ok: null,
  };
}

/** A failure is confirmed once it has lasted `failure_threshold` checks. */
export function isDown(status: Status): boolean {
  return status === 'error' || status === 'blocked';
}

export interface DependencyVerdict {
  /** The `error` entity somewhere below that explains this entity's failure. */
  readonly root: string | null;
  /** A dependency below that is failing but not yet confirmed: hold the verdict until it is. */
  readonly waitingFor: string | null;
}

/**
 * Walks the dependencies transitively, depth first in file order. A `blocked` dependency is
 * passed through (its own root is further down); the first `error` found is the root cause.
 */
export function dependencyVerdict(name: string, deps: DependencyLookup): DependencyVerdict {
  let root: string | null = null;
  let waitingFor: string | null = null;
  walkGraph(name, (n) => deps.dependencies(n), (dep) => {
    const status = deps.state(dep)?.status;
    if (status === 'error') {
      root = dep;
      return 'stop';
    }
    if (status === 'pending' && waitingFor === null) waitingFor = dep;
    return 'continue';
  });
  return root === null ? { root, waitingFor } : { root, waitingFor: null };
}

/** The status of an entity whose failure has reached its threshold. */
function confirmedFailure(name: string, deps: DependencyLookup): { status: Status; blocked_by: string | null } {
  const verdict = dependencyVerdict(name, deps);
  if (verdict.root !== null) return { status: 'blocked', blocked_by: verdict.root };
  if (verdict.waitingFor !== null) return { status: 'pending', blocked_by: null };
  return { status: 'error', blocked_by: null };
}

function withStatus(prev: EntityState, next: EntityState, at: number): Reduction {
  // Same status with another root cause is not a transition, but the state records the new root.
  if (next.status === prev.status) return { state: { ...next, since: prev.since ?? at }, transition: null };
  const transition: Transition = {
    name: prev.name, from: prev.status, to: next.status, at,
    message: next.message, blocked_by: next.blocked_by, prev_since: prev.since,
  };
  return { state: { ...next, since: at }, transition };
}

/** Applies one check result. */
export function reduceState(prev: EntityState, result: CheckResult, entity: Entity, deps: DependencyLookup): Reduction {
  const ok = result.ok;
  const consecutive_failures = ok ? 0 : prev.consecutive_failures + 1;
  const consecutive_successes = ok ? prev.consecutive_successes + 1 : 0;
  let status: Status;
  let blocked_by: string | null = null;

  if (ok) {
    const passing: Status = result.degraded ? 'degraded' : 'ok';
    // A confirmed failure needs `success_threshold` passes to recover; an unconfirmed one needs one.
    const recovering = isDown(prev.status) && consecutive_successes < entity.success_threshold;
    status = recovering ? prev.status : passing;
    if (recovering) blocked_by = prev.blocked_by;
  } else if (consecutive_failures < entity.failure_threshold) {
    status = isDown(prev.status) ? prev.status : 'pending';
    if (status === 'blocked') {
      // Still down: re-derive the root in case it moved.
      const verdict = confirmedFailure(entity.name, deps);
      status = verdict.status === 'pending' ? 'blocked' : verdict.status;
      blocked_by = verdict.status === 'pending' ? prev.blocked_by : verdict.blocked_by;
    }
  } else {
    ({ status, blocked_by } = confirmedFailure(entity.name, deps));
    // Already announced as down: waiting on a pending dependency does not undo that.
    if (status === 'pending' && isDown(prev.status)) {
      status = prev.status;
      blocked_by = prev.blocked_by;
    }
  }

  const next: EntityState = {
    name: prev.name, status, since: prev.since, lastcheck: result.at,
    success_count: prev.success_count + (ok ? 1 : 0),
    fail_count: prev.fail_count + (ok ? 0 : 1),
    consecutive_failures, consecutive_successes, blocked_by,
    message: result.message, latency_ms: result.latency_ms, extra: result.extra, last_ok: ok,
  };
  return withStatus(prev, next, result.at);
}

export interface Reevaluation extends Reduction {
  /** The verdict rests on results taken while the root was down: check the entity again now. */
  readonly recheck: boolean;
}

/**
 * Re-derives a failing entity's status after one of its dependencies changed (a root confirmed
 * or recovered), without a new check: pending dependents waiting on a root that is now confirmed
 * become `blocked`, and an announced `error` whose root appears below becomes `blocked`. A
 * `blocked` entity whose root recovered is not turned into `error` from its old results (they
 * were taken while the root was down): it stays as it is and asks for a fresh check, whose
 * result then decides between `error` and `ok`.
 */
export function reevaluate(prev: EntityState, entity: Entity, deps: DependencyLookup, at: number): Reevaluation {
  const confirmed = prev.last_ok === false && prev.consecutive_failures >= entity.failure_threshold;
  if (!confirmed) return { state: prev, transition: null, recheck: false };
  let { status, blocked_by } = confirmedFailure(entity.name, deps);
  if (prev.status === 'blocked' && status !== 'blocked') return { state: prev, transition: null, recheck: true };
  if (status === 'pending' && isDown(prev.status)) {
    status = prev.status;
    blocked_by = prev.blocked_by;
  }
  return { ...withStatus(prev, { ...prev, status, blocked_by }, at), recheck: false };
}

/** success / (success + fail), 4 decimals; 0 before the first check. */
export function successRatio(state: EntityState): number {
  const total = state.success_count + state.fail_count;
  return total === 0 ? 0 : Math.round((state.success_count / total) * 10000) / 10000;
}
