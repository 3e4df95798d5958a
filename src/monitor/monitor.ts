// The monitor: owns the live configuration and entity states, runs checks through the scheduler,
// feeds results through the reducer, persists them, and tells its subscribers (wired in main.ts).
import type { CheckOutcome, CheckResult, Config, Entity, EntityState, Transition } from '../types.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../log.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import { createScheduler } from './scheduler.ts';
import { createLimiter } from './limiter.ts';
import type { Wait } from './limiter.ts';
import { createPacer } from './pacer.ts';
import { initialState, isDown, reduceState, reevaluate } from './state.ts';
import type { DependencyLookup } from './state.ts';
import { dependentsOf } from '../config/graph.ts';
import { confirmsFailure, diffConfig, firstCheckDelay, nextCheckDelay } from './plan.ts';
import type { ConfigChange } from './plan.ts';
import { silentLogger } from '../log.ts';
import { readShown, SHOWN_KEY, underMaintenance } from '../maintenance/shown.ts';
import { walkGraph } from '../config/graph.ts';

/** null: nothing new to judge (an entity judged from probe results none of which is fresh or new). */
export type RunCheck = (entity: Entity, options: { signal: AbortSignal }) => Promise<CheckOutcome | null>;

/**
 * What follows a check, told in list order once the monitor's own state is updated. Handlers
 * only record and arm timers: they run on the check path and must not wait for anything.
 */
export interface MonitorSubscriber {
  /** A check finished and its result was applied. */
  onResult?(entity: Entity, result: CheckResult, state: EntityState): void;
  /** A status changed (after a result, or when a dependency's change re-decided it). */
  onTransition?(transition: Transition, state: EntityState): void;
  /** A new configuration was applied. */
  onConfig?(config: Config): void;
}

export interface MonitorOptions {
  readonly config: Config;
  readonly store: Store;
  readonly runCheck: RunCheck;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** For spreading first checks; injectable so tests are deterministic. */
  readonly random?: () => number;
  /** First checks are spread over min(interval, this) seconds. */
  readonly spreadSeconds?: number;
  /** Called when each check starts, with how late it started (ms), waiting for a slot included. */
  readonly onCheckStart?: (name: string, lateMs: number) => void;
  /** The event loop's utilization since the last call, for pacing checks (tests inject it). */
  readonly busy?: () => number;
}

/** Checks in flight and waiting for a slot (config `checks.max_in_flight`; src/monitor/pacer.ts). */
export interface CheckLoad {
  /** `checks.max_in_flight`. */
  readonly max: number;
  /** How many may run at once now, as paced by how busy the process is. */
  readonly limit: number;
  readonly active: number;
  readonly waiting: number;
}

/** An entity under maintenance: the window's name and when this opening ends (epoch ms). */
export interface MaintenanceMark {
  readonly id: string;
  readonly name: string;
  readonly until: number;
}

export interface Monitor {
  /** Sets who is told of results, transitions and reloads, in this order (replaces the list). */
  connect(subscribers: readonly MonitorSubscriber[]): void;
  /** Loads stored states and starts every entity's timer. */
  start(): Promise<void>;
  /** Cancels timers, aborts checks in flight and waits for them (at most their timeout). */
  stop(): Promise<void>;
  config(): Config;
  entity(name: string): Entity | undefined;
  state(name: string): EntityState | undefined;
  /** Entities of the current configuration with their states, in file order. */
  list(): { entity: Entity; state: EntityState }[];
  /** Applies a new configuration: starts, stops and reschedules only what changed, and says what that was. */
  apply(config: Config): ConfigChange;
  /** Runs a check now (or joins the one in flight) and resolves when it is applied. */
  checkNow(name: string): Promise<void>;
  /**
   * Several instances: only these entities are checked here (null: all, the default). Entities
   * gained start on their stored cadence or after a random spread; those lost stop (a check in
   * flight finishes).
   */
  assign(owned: ReadonlySet<string> | null): void;
  /** Whether this instance checks the entity. */
  owns(name: string): boolean;
  /**
   * States that other instances wrote for entities checked elsewhere: subscribers hear of them as
   * of results and transitions (nothing is stored again), and own entities above re-decide.
   */
  observe(states: Iterable<EntityState>): void;
  /**
   * Sets which entities are under maintenance. They show status `maintenance` (state, list,
   * subscribers, stored transitions and results) while their verdict goes on underneath.
   */
  setMaintenance(marks: ReadonlyMap<string, MaintenanceMark>, at: number): void;
  /** The entity's maintenance, if it is under one now. */
  maintenanceOf(name: string): MaintenanceMark | null;
  /** The state the checks alone give, whatever maintenance shows (alerts: recoveries go on). */
  verdict(name: string): EntityState | undefined;
  /** Checks running and waiting for a slot right now. */
  load(): CheckLoad;
}

export function createMonitor(options: MonitorOptions): Monitor {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const random = options.random ?? Math.random;
  const spreadSeconds = options.spreadSeconds ?? 30;
  let subscribers: readonly MonitorSubscriber[] = [];
  const abort = new AbortController();
  let config = options.config;
  let entities = new Map<string, Entity>();
  let dependents = new Map<string, string[]>();
  const states = new Map<string, EntityState>();
  let maintenance: ReadonlyMap<string, MaintenanceMark> = new Map();
  /** When each entity under maintenance began to show it. */
  const maintenanceSince = new Map<string, number>();
  let shownWrites: Promise<void> = Promise.resolve();
  let started = false;
  let owned: ReadonlySet<string> | null = null;
  const owns = (name: string): boolean => owned === null || owned.has(name);

  const lookup: DependencyLookup = {
    state: (name) => states.get(name),
    dependencies: (name) => entities.get(name)?.dependencies ?? [],
  };

  // Short waits are normal (the checks due in one 100 ms tick can outnumber the limit): one line
  // when a check has waited a second or more while others still wait, and one when the line is
  // empty again after that.
  let behindSince = 0;
  let warned = false;
  const limiter = createLimiter(config.checks.max_in_flight, {
    onBehind() {
      behindSince = clock.now();
    },
    onCaughtUp() {
      if (!warned) return;
      warned = false;
      logger.info({ behind_ms: clock.now() - behindSince }, 'checks caught up: none is waiting for a slot');
    },
  });
  function waitedLong(waitedMs: number): void {
    // The last check of a spell is handed its slot as the line empties: caught up already.
    if (warned || waitedMs < 1000 || limiter.waiting === 0) return;
    warned = true;
    logger.warn({ waited_ms: waitedMs, waiting: limiter.waiting, in_flight: limiter.active, limit: limiter.max, max_in_flight: pacer.max },
      'checks are waiting for a free slot: more are due than can run at once');
  }

  /** Checks waiting for a slot, by entity: asked for now meanwhile, they go to the front. */
  const waits = new Map<string, Wait>();
  /** Runs the entity's check now, or joins the one due; one waiting for a slot goes first. */
  function checkSoon(name: string): Promise<void> {
    waits.get(name)?.hurry();
    return scheduler.runNow(name);
  }

  const pacer = createPacer({ limiter, clock, max: config.checks.max_in_flight, busy: options.busy });

  const scheduler = createScheduler({
    clock,
    run: (name, lateMs, now) => runOne(name, lateMs, now).catch((err: unknown) => {
      logger.error({ entity: name, err: String(err) }, 'check failed unexpectedly');
    }),
    nextDelay: (name) => {
      const entity = entities.get(name);
      return entity ? nextCheckDelay(entity, states.get(name)) : 60_000;
    },
  });

  function index(next: Config): void {
    entities = new Map(next.entities.map((e) => [e.name, e]));
    dependents = dependentsOf(next);
  }
  index(config);

  function stateOf(name: string): EntityState {
    let state = states.get(name);
    if (!state) {
      state = initialState(name);
      states.set(name, state);
    }
    return state;
  }

  /** What the entity shows: its verdict, or `maintenance` while a window covers it. */
  function shown(state: EntityState): EntityState {
    const since = maintenanceSince.get(state.name);
    return since === undefined ? state : underMaintenance(state, since);
  }

  /** Dependencies below `name` whose failure is not yet confirmed. */
  function unconfirmedBelow(name: string): string[] {
    const out: string[] = [];
    walkGraph(name, (n) => entities.get(n)?.dependencies, (dep) => {
      if (!entities.has(dep) || isDown(stateOf(dep).status)) return 'skip';
      out.push(dep);
      return 'continue';
    });
    return out;
  }

  async function runOne(name: string, lateMs: number, now: boolean): Promise<void> {
    if (!entities.has(name) || abort.signal.aborted) return;
    // The slot covers the check alone: confirming a failure below waits for other checks, which
    // must not wait for this one's slot in turn.
    const queued = limiter.acquire(now);
    if (queued !== null) {
      const from = clock.now();
      waits.set(name, queued);
      const granted = await queued.granted;
      waits.delete(name);
      if (!granted) return;
      const waited = clock.now() - from;
      lateMs += waited;
      waitedLong(waited);
    }
    const at = clock.now();
    let outcome: CheckOutcome | null;
    const entity = entities.get(name);
    try {
      if (!entity || abort.signal.aborted) return;
      options.onCheckStart?.(name, lateMs);
      outcome = await options.runCheck(entity, { signal: abort.signal });
    } finally {
      limiter.release();
    }
    if (abort.signal.aborted || outcome === null) return;
    const result: CheckResult = { ...outcome, at };
    const prev = stateOf(name);
    if (confirmsFailure(prev, result.ok, entity)) {
      // The verdict must use fresh results: a dependency checked minutes ago may be down now.
      await Promise.all(unconfirmedBelow(name).map(checkSoon));
      if (abort.signal.aborted) return;
    }
    const current = entities.get(name);
    if (!current) return;
    applyResult(current, result);
  }

  function applyResult(entity: Entity, result: CheckResult): void {
    const { state, transition } = reduceState(stateOf(entity.name), result, entity, lookup);
    states.set(entity.name, state);
    const seen = shown(state);
    // The stored state is the verdict (a restart goes on from it); the result keeps what was shown.
    store.saveResult(
      { name: entity.name, at: result.at, ok: result.ok, status: seen.status, latency_ms: result.latency_ms, message: result.message },
      state,
    );
    for (const s of subscribers) s.onResult?.(entity, result, seen);
    if (transition) announce(transition, state);
  }

  function announce(transition: Transition, state: EntityState, cascade = true): void {
    // Under maintenance the change stays beneath: only the verdicts above it follow.
    if (maintenanceSince.has(transition.name)) {
      if (cascade) propagate(transition.name, transition.at);
      return;
    }
    tell(transition, state);
    if (cascade) propagate(transition.name, transition.at);
  }

  /** Stores, logs and hands a shown status change to the subscribers. */
  function tell(transition: Transition, state: EntityState): void {
    store.saveTransition(transition);
    logger.info(
      { entity: transition.name, from: transition.from, to: transition.to, blocked_by: transition.blocked_by, message: transition.message },
      'status changed',
    );
    for (const s of subscribers) s.onTransition?.(transition, state);
  }

  async function loadShown(): Promise<Record<string, number>> {
    const unreadable = (err: unknown) => logger.error({ err: String(err) }, 'maintenance: the stored list of entities under maintenance is unreadable');
    try {
      return await readShown(store, unreadable);
    } catch (err) {
      unreadable(err);
      return {};
    }
  }

  function setMaintenance(marks: ReadonlyMap<string, MaintenanceMark>, at: number): void {
    maintenance = marks;
    let changed = false;
    for (const name of [...maintenanceSince.keys()]) {
      if (!entities.has(name)) {
        maintenanceSince.delete(name);
        changed = true;
      }
    }
    for (const entity of config.entities) {
      const name = entity.name;
      const covered = marks.has(name);
      if (covered === maintenanceSince.has(name)) continue;
      changed = true;
      const before = shown(stateOf(name));
      if (covered) maintenanceSince.set(name, at);
      else maintenanceSince.delete(name);
      const after = shown(stateOf(name));
      if (before.status === after.status) continue;
      tell({
        name, from: before.status, to: after.status, at, message: after.message,
        blocked_by: after.blocked_by, prev_since: before.since,
      }, after);
    }
    // One write after another, each of the list as it is then: the last one stored is the latest.
    if (changed) {
      shownWrites = shownWrites.then(() => store.setMeta(SHOWN_KEY, JSON.stringify(Object.fromEntries(maintenanceSince)))).catch((err: unknown) => {
        logger.error({ err: String(err) }, 'maintenance: could not store which entities are under maintenance');
      });
    }
  }

  /** Re-derives a failing entity's verdict from its dependencies; announces a change. */
  function settle(name: string, at: number): void {
    const entity = entities.get(name);
    const prev = states.get(name);
    // Another instance decides its own entities' verdicts.
    if (!entity || !prev || !owns(name)) return;
    const { state, transition, recheck } = reevaluate(prev, entity, lookup, at);
    // Fire and forget: the fresh result goes through the reducer like any other.
    if (recheck) void checkSoon(name);
    if (state === prev) return;
    states.set(name, state);
    store.saveState(state);
    if (transition) announce(transition, state, false);
  }

  /** A status change below can change the verdict of every failing entity above it. */
  function propagate(changed: string, at: number): void {
    // Nearest first, each once: a verdict walks all the way down, so one pass suffices.
    walkGraph(changed, (n) => dependents.get(n), (name) => settle(name, at), 'breadth');
  }

  function firstDelay(entity: Entity): number {
    return firstCheckDelay(entity, states.get(entity.name)?.lastcheck, clock.now(), random(), spreadSeconds);
  }

  function reevaluateAll(): void {
    const at = clock.now();
    for (const entity of config.entities) settle(entity.name, at);
  }

  return {
    connect(list) {
      subscribers = [...list];
    },
    async start() {
      if (started) return;
      started = true;
      pacer.start();
      for (const [name, state] of await store.loadStates()) states.set(name, state);
      // Who showed maintenance when the last run stopped: a window still open is not entered
      // again, and one that ended meanwhile is left (and stored as left) at the first refresh.
      for (const [name, since] of Object.entries(await loadShown())) if (entities.has(name)) maintenanceSince.set(name, since);
      for (const entity of config.entities) {
        stateOf(entity.name);
        if (owns(entity.name)) scheduler.add(entity.name, firstDelay(entity));
      }
    },
    async stop() {
      scheduler.stop();
      abort.abort();
      pacer.stop();
      limiter.cancelAll();
      const inFlight = scheduler.inFlight();
      await Promise.allSettled(inFlight);
      await shownWrites;
      await store.flush();
    },
    config: () => config,
    entity: (name) => entities.get(name),
    state: (name) => (entities.has(name) ? shown(stateOf(name)) : undefined),
    list: () => config.entities.map((entity) => ({ entity, state: shown(stateOf(entity.name)) })),
    verdict: (name) => (entities.has(name) ? stateOf(name) : undefined),
    setMaintenance,
    maintenanceOf: (name) => (maintenanceSince.has(name) ? maintenance.get(name) ?? null : null),
    apply(next) {
      const change = diffConfig(entities, next);
      config = next;
      index(next);
      pacer.setMax(next.checks.max_in_flight);
      for (const name of change.removed) scheduler.remove(name);
      for (const entity of change.added) {
        stateOf(entity.name);
        if (started && owns(entity.name)) scheduler.add(entity.name, firstDelay(entity));
      }
      if (started) for (const entity of change.changed) scheduler.reschedule(entity.name, firstDelay(entity));
      reevaluateAll();
      for (const s of subscribers) s.onConfig?.(next);
      return change;
    },
    checkNow: checkSoon,
    load: () => ({ max: pacer.max, limit: pacer.limit, active: limiter.active, waiting: limiter.waiting }),
    assign(next) {
      owned = next === null ? null : new Set(next);
      if (!started) return;
      for (const entity of config.entities) {
        const was = scheduler.has(entity.name);
        const is = owns(entity.name);
        if (was && !is) scheduler.remove(entity.name);
        else if (!was && is) scheduler.add(entity.name, firstDelay(entity));
      }
    },
    owns,
    observe(list) {
      for (const next of list) {
        const entity = entities.get(next.name);
        if (!entity || owns(next.name)) continue;
        const prev = stateOf(next.name);
        if (sameState(prev, next)) continue;
        states.set(next.name, next);
        if (next.lastcheck !== null && next.lastcheck !== prev.lastcheck) {
          for (const s of subscribers) s.onResult?.(entity, resultOf(next), shown(next));
        }
        if (next.status !== prev.status) {
          const transition: Transition = {
            name: next.name, from: prev.status, to: next.status, at: next.since ?? next.lastcheck ?? clock.now(),
            message: next.message, blocked_by: next.blocked_by, prev_since: prev.since,
          };
          // Under maintenance the change stays beneath, as for an entity checked here.
          if (!maintenanceSince.has(next.name)) for (const s of subscribers) s.onTransition?.(transition, next);
          propagate(next.name, transition.at);
        }
      }
    },
  };
}

function sameState(a: EntityState, b: EntityState): boolean {
  return a.lastcheck === b.lastcheck && a.status === b.status && a.since === b.since && a.blocked_by === b.blocked_by
    && a.message === b.message && a.success_count === b.success_count && a.fail_count === b.fail_count;
}

/** The result another instance's check must have had, as far as its stored state tells. */
function resultOf(state: EntityState): CheckResult {
  return {
    ok: state.last_ok ?? false, degraded: state.status === 'degraded', latency_ms: state.latency_ms,
    message: state.message, extra: state.extra, at: state.lastcheck ?? 0,
  };
}
