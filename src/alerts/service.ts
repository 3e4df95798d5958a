// The alert pipeline: results and transitions → batches (2 s) → policy → outbox → channels.
// Its handlers only record and arm a timer; everything else runs later, one job at a time, so a
// slow store or channel never holds up a check.
// The bookkeeping in memory is the truth; the store follows it. While the store refuses writes,
// decided items wait here (never dropped) and are written with backoff, and at once when the
// store is back, followed by a catch-up against the live states.
import type { Ack, CheckResult, Config, Entity, EntityState, Transition } from '../types.ts';
import type { Monitor, MonitorSubscriber } from '../monitor/monitor.ts';
import type { Clock } from '../clock.ts';
import { systemClock } from '../clock.ts';
import type { NewOutboxMessage, Store } from '../store/store.ts';
import type { StoreHealth } from '../store/health.ts';
import { StoreUnavailableError } from '../store/health.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { AlertItem } from './alert.ts';
import type { ChannelSet, ChannelTimeouts } from './channels.ts';
import { buildChannels } from './channels.ts';
import { createRouter } from './routing.ts';
import type { Router } from './routing.ts';
import { loadSaved, save } from './bookkeeping.ts';
import { createOutbox } from './outbox.ts';
import type { OutboxOptions } from './outbox.ts';
import type { Bookkeeping, Decision, PolicyView, Trigger } from './policy.ts';
import {
  EMPTY_BOOKKEEPING, acknowledge, ackOf, decide, dueReminders, nextReminderAt, reconcile, unacknowledge,
} from './policy.ts';
import { configFixed, configInvalid } from './config-alerts.ts';
import { forgetProbes, probePresence as decideProbe } from './probe-alerts.ts';
import type { ProbePresence } from './probe-alerts.ts';
import { awaitingConfirmation, certificateTrigger, mergeOutages, outboxMessages } from './triggers.ts';
import { collectSecrets } from '../config/secrets.ts';
import { createScrubber } from '../secrets.ts';
import type { Scrub } from '../secrets.ts';
import type { FlapTracker } from '../monitor/flap-tracker.ts';
import type { MaintenanceChange } from '../maintenance/service.ts';

export interface AlertServiceOptions {
  readonly store: Store;
  readonly monitor: Monitor;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Transitions within this window go out as one message. Default 2000 ms. */
  readonly batchMs?: number;
  readonly timeouts?: ChannelTimeouts;
  readonly outbox?: Pick<OutboxOptions, 'baseDelayMs' | 'maxDelayMs' | 'maxAgeMs' | 'sendTimeoutMs' | 'onSent' | 'onFailed' | 'claim'>;
  /** Flapping detection: while an entity flaps, one message at start and one when it settles. */
  readonly flaps?: Pick<FlapTracker, 'isFlapping' | 'listen'>;
  /** Tells when the store fails and when it is back (store/health.ts): alerts catch up then. */
  readonly storeHealth?: Pick<StoreHealth, 'listen'>;
}

/** Transitions and certificate figures feed the batches; a reload swaps channels and secrets. */
export interface AlertService extends Required<MonitorSubscriber> {
  /** Loads the bookkeeping, re-queues a journal left by a crash, catches up and starts delivering. */
  start(): Promise<void>;
  /** A hot reload was rejected: `file:line:col: message` lines. */
  configRejected(lines: readonly string[]): void;
  /** A configuration was loaded after a rejected one. */
  configFixed(config: Config): void;
  /** Acknowledges the entity's open incident: no reminders until it recovers or `until`; null = no open incident. */
  acknowledge(name: string, ack: Ack): Promise<Ack | null>;
  /** Withdraws the acknowledgement: reminders resume. */
  unacknowledge(name: string): Promise<void>;
  /** The acknowledgement of the entity's open incident, if any. */
  ackOf(name: string): Ack | null;
  /** A maintenance window opened or closed: told once on the channels of the entities it covers. */
  maintenanceChanged(change: MaintenanceChange): void;
  /** A probe's state, judged every few seconds: going offline and coming back are told once each. */
  probePresence(probe: ProbePresence): void;
  /** Fields for /health. */
  health(): Promise<Record<string, unknown>>;
  /** Queues the batch being collected now instead of when its window ends. */
  flush(): Promise<void>;
  /** Resolves once no job, scan or delivery is in flight (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Timers longer than this overflow in Node; a reminder further away is re-armed on the way. */
const MAX_TIMER = 24 * 3_600_000;

/** How long a closing batch window waits for a pending entity's confirming check. */
const CONFIRM_GRACE_MS = 500;

/** Pauses between attempts to write what the store refused: doubling from the first to the cap. */
const PERSIST_RETRY_MS = 1_000;
const PERSIST_RETRY_MAX_MS = 30_000;

export function createAlertService(options: AlertServiceOptions): AlertService {
  const { store, monitor } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger();
  const batchMs = options.batchMs ?? 2_000;
  let config = monitor.config();
  let scrub: Scrub = createScrubber(collectSecrets(config));
  const outbox = createOutbox({ store, clock, logger, scrub: () => scrub, ...options.outbox });
  let channels: ChannelSet = { channels: [], sections: new Map() };
  let router: Router = createRouter(config);
  let book: Bookkeeping = EMPTY_BOOKKEEPING;
  let batch: Trigger[] = [];
  let batchTimer: unknown = null;
  let reminderTimer: unknown = null;
  let chain: Promise<void> = Promise.resolve();
  /** Items decided but not yet written with the bookkeeping (the store refused): merged into outages when told. */
  let held: AlertItem[] = [];
  /** Messages written in the bookkeeping's journal but not yet in the outbox. */
  let journal: NewOutboxMessage[] = [];
  /** The bookkeeping in memory is newer than the stored one. */
  let dirty = false;
  let persistTimer: unknown = null;
  let persistDelay = 0;
  let started = false;
  let closed = false;

  const active = (): boolean => channels.channels.length > 0;
  const view = (): PolicyView => ({
    states: monitor.list().map((e) => e.state),
    public_url: config.public_url,
    degraded: config.notify.degraded,
    flapping: new Set(options.flaps ? config.entities.filter((e) => options.flaps!.isFlapping(e.name)).map((e) => e.name) : []),
  });

  /** Runs jobs one after another: each sees the bookkeeping the previous one left. */
  function job(fn: () => Promise<void>): Promise<void> {
    chain = chain.then(fn).catch((err: unknown) => {
      logger.error({ err: scrub(String(err)) }, 'alerts: bookkeeping failed');
    });
    return chain;
  }

  /** Takes a decision: the bookkeeping changes in memory at once, the store follows (persist). */
  async function commit(decision: Decision): Promise<void> {
    const items = decision.items.map((i): AlertItem => ({ ...i, message: scrub(i.message) }));
    if (decision.bookkeeping === book && items.length === 0) return;
    book = decision.bookkeeping;
    held.push(...items);
    dirty = true;
    await persist();
    armReminder();
  }

  /**
   * Saves the bookkeeping with the messages it implies (its journal), then queues them. When the
   * store refuses, everything stays in memory and is tried again later; nothing is dropped.
   */
  async function persist(): Promise<void> {
    if (!dirty && held.length === 0 && journal.length === 0) return;
    try {
      if (dirty || held.length > 0) {
        const items = mergeOutages(held);
        const messages = outboxMessages(items, router, channels.channels, clock.now());
        const pending = [...journal, ...messages];
        await save(store, { bookkeeping: book, pending });
        journal = pending;
        held = [];
        dirty = false;
        if (messages.length > 0) for (const i of items) logger.info({ event: i.event, entity: i.entity, key: i.key }, 'alert queued');
      }
      if (journal.length > 0) {
        await outbox.add(journal);
        journal = [];
        dirty = true; // the stored journal is spent
        await save(store, { bookkeeping: book, pending: [] });
        dirty = false;
      }
    } catch (err) {
      // An unavailable store is logged once by its health; anything else is worth a line here.
      if (!(err instanceof StoreUnavailableError)) logger.error({ err: scrub(String(err)) }, 'alerts: bookkeeping failed; kept in memory and retried');
      persistLater();
      return;
    }
    persistDelay = 0;
    if (persistTimer !== null) clock.clearTimeout(persistTimer);
    persistTimer = null;
  }

  function persistLater(): void {
    if (closed || persistTimer !== null) return;
    persistDelay = persistDelay === 0 ? PERSIST_RETRY_MS : Math.min(PERSIST_RETRY_MAX_MS, persistDelay * 2);
    persistTimer = clock.setTimeout(() => {
      persistTimer = null;
      void job(persist);
    }, persistDelay);
  }

  /** The store is back: what waited is written now, then a catch-up against the live states. */
  function storeBack(): void {
    if (closed || !started) return;
    if (persistTimer !== null) clock.clearTimeout(persistTimer);
    persistTimer = null;
    persistDelay = 0;
    void job(async () => {
      await persist();
      if (active()) await commit(reconcile(book, view()));
    });
    outbox.storeBack();
  }
  options.storeHealth?.listen((ok) => { if (ok) storeBack(); });

  function flushBatch(): Promise<void> {
    if (batchTimer !== null) clock.clearTimeout(batchTimer);
    batchTimer = null;
    const triggers = batch;
    batch = [];
    if (triggers.length === 0) return chain;
    return job(() => commit(decide(book, triggers, view())));
  }

  /**
   * The window opens with the first transition, often a first failure (ok -> pending). Its
   * confirming check then tends to land just as the window closes; rather than race it and
   * send a second window later, the window waits once, briefly, for entities still pending.
   */
  function windowEnded(extended: boolean): void {
    batchTimer = null;
    if (!extended && awaitingConfirmation(batch, (name) => monitor.state(name)?.status)) {
      batchTimer = clock.setTimeout(() => windowEnded(true), CONFIRM_GRACE_MS);
      return;
    }
    void flushBatch();
  }

  function push(trigger: Trigger): void {
    if (closed || !active()) return;
    batch.push(trigger);
    if (started && batchTimer === null) batchTimer = clock.setTimeout(() => windowEnded(false), batchMs);
  }

  function armReminder(): void {
    if (reminderTimer !== null) clock.clearTimeout(reminderTimer);
    reminderTimer = null;
    if (closed || !active()) return;
    const reminderMs = config.notify.reminder * 1000;
    const at = nextReminderAt(book, view(), reminderMs);
    if (at === null) return;
    const delay = Math.min(MAX_TIMER, Math.max(0, at - clock.now()));
    reminderTimer = clock.setTimeout(() => {
      reminderTimer = null;
      void job(async () => {
        await commit(dueReminders(book, view(), clock.now(), config.notify.reminder * 1000));
        armReminder();
      });
    }, delay);
  }

  function onTransition(transition: Transition): void {
    push({ kind: 'transition', transition });
  }

  function onResult(_entity: Entity, result: CheckResult, state: EntityState): void {
    const trigger = certificateTrigger(state, result.at, book, config.notify.degraded);
    if (trigger !== null) push(trigger);
    // An announced failure that recovers during maintenance gets its recovery now, not at the window's end.
    const verdict = state.status === 'maintenance' && book.announced[state.name] ? monitor.verdict(state.name) : undefined;
    if (verdict && (verdict.status === 'ok' || verdict.status === 'degraded')) {
      push({ kind: 'transition', transition: {
        name: state.name, from: 'maintenance', to: verdict.status, at: result.at, message: verdict.message, blocked_by: null, prev_since: state.since,
      } });
    }
  }

  options.flaps?.listen((change) => push({ kind: 'flapping', ...change }));

  function onConfig(next: Config): void {
    if (closed) return;
    config = next;
    scrub = createScrubber(collectSecrets(next));
    router = createRouter(next);
    channels = buildChannels(next, channels, options.timeouts);
    outbox.setChannels(channels.channels);
    if (!started || closed) return;
    // Catches up after channels appear, and forgets entities that are gone; its keys match the
    // live path's, so nothing a batch already queued is queued again.
    if (active()) void job(() => commit(reconcile(book, view())));
    const sites = next.probes.map((p) => p.site);
    if (forgetProbes(book, sites) !== book) void job(() => commit({ items: [], bookkeeping: forgetProbes(book, sites) }));
    armReminder();
  }

  channels = buildChannels(config, null, options.timeouts);
  outbox.setChannels(channels.channels);

  return {
    onTransition,
    onResult,
    onConfig,
    async start() {
      if (started) return;
      const saved = await loadSaved(store);
      book = saved.bookkeeping;
      if (saved.pending.length > 0) {
        await outbox.add(saved.pending);
        await save(store, { bookkeeping: book, pending: [] });
      }
      started = true;
      if (active()) await job(() => commit(reconcile(book, view())));
      if (batch.length > 0 && batchTimer === null) batchTimer = clock.setTimeout(() => void flushBatch(), batchMs);
      armReminder();
      outbox.kick();
    },
    configRejected(lines) {
      if (closed || !active() || !config.notify.config_errors) return;
      void job(() => commit(configInvalid(book, lines, clock.now())));
    },
    configFixed(next) {
      if (closed) return;
      void job(async () => {
        const decision = configFixed(book, clock.now(), next.entities.length);
        // Off or without channels: only forget the problem.
        await commit(active() && next.notify.config_errors ? decision : { ...decision, items: [] });
      });
    },
    async acknowledge(name, ack) {
      let result: Ack | null = null;
      await job(async () => {
        const next = acknowledge(book, name, ack);
        if (next === null) return;
        book = next;
        dirty = true;
        await persist();
        result = ackOf(book, name);
        logger.info({ entity: name, by: ack.by }, 'incident acknowledged');
        armReminder();
      });
      return result;
    },
    async unacknowledge(name) {
      await job(async () => {
        if (book.acks[name] === undefined) return;
        book = unacknowledge(book, name);
        dirty = true;
        await persist();
        armReminder();
      });
    },
    ackOf: (name) => ackOf(book, name),
    probePresence(probe) {
      if (closed || !started) return;
      // Judged every few seconds per probe: a job only when something is to be told.
      if (decideProbe(book, probe, clock.now()).bookkeeping === book) return;
      void job(async () => {
        const decision = decideProbe(book, probe, clock.now());
        await commit(active() ? decision : { ...decision, items: [] });
      });
    },
    maintenanceChanged(change) {
      const { window, opening } = change;
      push({ kind: 'maintenance', change: {
        phase: change.phase, id: window.id, name: window.name, reason: window.reason, start: opening.start, end: opening.end,
        entities: change.entities, at: change.at, ended_by: change.ended_by,
      } });
    },
    async health() {
      const failure = outbox.lastError();
      return {
        alerts: {
          channels: channels.channels.map((c) => c.name),
          // Unknown (null) while the store cannot answer.
          outbox_depth: await outbox.depth().catch(() => null),
          // Alert items decided but not yet in the outbox because the store refused them.
          waiting: held.length + journal.length,
          last_error: failure === null
            ? null
            : { channel: failure.channel, error: failure.error, at: new Date(failure.at).toISOString() },
        },
      };
    },
    flush: () => flushBatch(),
    async idle() {
      await chain;
      await outbox.idle();
      await chain;
    },
    async close() {
      if (closed) return;
      // What was collected goes into the outbox now, to be delivered after the next start.
      await flushBatch();
      closed = true;
      if (reminderTimer !== null) clock.clearTimeout(reminderTimer);
      if (persistTimer !== null) clock.clearTimeout(persistTimer);
      await chain;
      await outbox.close();
    },
  };
}
