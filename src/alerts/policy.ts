// The alert policy: pure functions from transitions, current states and bookkeeping to the items
// worth telling and the bookkeeping after telling them. Every "who gets a message when" rule
// lives here; service.ts only feeds it and stores what it returns.
import { createHash } from 'node:crypto';
import type { Ack, EntityState, Transition } from '../domain.ts';
import type { Alert, AlertItem } from './alert.ts';

export interface Announcement {
  /** Epoch ms when the failure began. */
  readonly since: number;
  /** Epoch ms of the announcement or the last reminder (the cadence of reminders). */
  readonly reminded_at: number;
  /** Entities named as impacted in its messages: their channels also get the recovery. */
  readonly impacted?: readonly string[];
  /** The key of its `down` item: `impacted` updates name it, so Telegram can edit that message. */
  readonly key?: string;
  /** How many `impacted` updates completed its message. */
  readonly updates?: number;
}

/**
 * How long after a failure began entities confirmed blocked behind it are added to its message
 * (an `impacted` update). Later ones are named by reminders and the recovery reaches them.
 */
export const IMPACTED_WINDOW_MS = 10 * 60_000;

/** What has been told, kept in the store so a restart neither repeats nor forgets anything. */
export interface Bookkeeping {
  /** Entities whose failure was announced: each gets a recovery message, whatever happens below it. */
  readonly announced: Readonly<Record<string, Announcement>>;
  /** Entities announced as degraded, with when that began. */
  readonly degraded: Readonly<Record<string, number>>;
  /** The smallest certificate threshold (30, 14, 7 days) announced per entity. */
  readonly certs: Readonly<Record<string, number>>;
  /** The announced configuration problems, until the file is fixed. */
  readonly config_error: string | null;
  /** Entities announced as flapping, with when that began: nothing else is told until they settle. */
  readonly flapping: Readonly<Record<string, number>>;
  /** Acknowledged incidents: no reminders while they last; `incident` is the announcement's `since`. */
  readonly acks: Readonly<Record<string, AckRecord>>;
  /** Probes announced as offline, with their last-seen time (epoch ms). */
  readonly probes_offline: Readonly<Record<string, number>>;
}

export interface AckRecord extends Ack {
  readonly incident: number;
}

export const EMPTY_BOOKKEEPING: Bookkeeping = { announced: {}, degraded: {}, certs: {}, config_error: null, flapping: {}, acks: {}, probes_offline: {} };

/** Acks of incidents still open: a recovery (a new announcement) ends its incident's ack. */
function openAcks(acks: Readonly<Record<string, AckRecord>>, announced: Readonly<Record<string, Announcement>>): Record<string, AckRecord> {
  return Object.fromEntries(Object.entries(acks).filter(([name, a]) => announced[name]?.since === a.incident));
}

/** Acknowledges the open incident of `name`; null when it has none (nothing was announced). */
export function acknowledge(book: Bookkeeping, name: string, ack: Ack): Bookkeeping | null {
  const told = book.announced[name];
  if (!told) return null;
  return { ...book, acks: { ...book.acks, [name]: { ...ack, incident: told.since } } };
}

export function unacknowledge(book: Bookkeeping, name: string): Bookkeeping {
  const { [name]: _gone, ...acks } = book.acks;
  return { ...book, acks };
}

/** The ack of the entity's open incident, if any. */
export function ackOf(book: Bookkeeping, name: string): Ack | null {
  const a = book.acks[name];
  if (!a || book.announced[name]?.since !== a.incident) return null;
  return { by: a.by, at: a.at, comment: a.comment, until: a.until };
}

export type Trigger =
  | { readonly kind: 'transition'; readonly transition: Transition }
  | { readonly kind: 'certificate'; readonly name: string; readonly days: number; readonly at: number }
  | { readonly kind: 'flapping'; readonly name: string; readonly flapping: boolean; readonly percent: number; readonly at: number }
  | { readonly kind: 'maintenance'; readonly change: WindowChange };

/** A maintenance window opened or closed (src/maintenance/service.ts). */
export interface WindowChange {
  readonly phase: 'start' | 'end';
  readonly id: string;
  readonly name: string;
  readonly reason: string | null;
  /** The opening's bounds, epoch ms. */
  readonly start: number;
  readonly end: number;
  readonly entities: readonly string[];
  readonly at: number;
  readonly ended_by: string | null;
}

/** A window's start or end, for the channels of the entities it covers, once per opening. */
function maintenanceItem(view: PolicyView, c: WindowChange): AlertItem {
  return item(view, {
    event: c.phase === 'start' ? 'maintenance_start' : 'maintenance_end', entity: null, status: null,
    message: c.reason ?? '', at: c.at, since: c.start, reach: c.entities,
    window: { name: c.name, end: c.end, ended_by: c.ended_by }, key: `maintenance:${c.id}:${c.start}:${c.phase}`,
  });
}

export interface PolicyView {
  /** States of the entities of the running configuration, in file order. */
  readonly states: readonly EntityState[];
  readonly public_url: string | null;
  /** notify.degraded: also tell degraded and back, and certificate warnings. */
  readonly degraded: boolean;
  /** Entities flapping now (absent = none). */
  readonly flapping?: ReadonlySet<string>;
}

export interface Decision {
  readonly items: AlertItem[];
  readonly bookkeeping: Bookkeeping;
}

export const CERT_THRESHOLDS = [30, 14, 7] as const;

function urlOf(view: PolicyView, name: string): string | null {
  return view.public_url === null ? null : `${view.public_url}#${name}`;
}

// Blocked entities by root cause, built once per list of states (a view's states never change):
// a cascade asks for the same roots many times in one batch.
const blockedByRoot = new WeakMap<PolicyView['states'], Map<string, string[]>>();

/** Entities now blocked with this one as their root cause, in file order. */
export function impactedBy(view: PolicyView, name: string): string[] {
  let roots = blockedByRoot.get(view.states);
  if (!roots) {
    roots = new Map();
    for (const s of view.states) {
      if (s.status !== 'blocked' || s.blocked_by === null) continue;
      const list = roots.get(s.blocked_by);
      if (list) list.push(s.name);
      else roots.set(s.blocked_by, [s.name]);
    }
    blockedByRoot.set(view.states, roots);
  }
  return [...roots.get(name) ?? []];
}

function item(view: PolicyView, fields: Omit<AlertItem, 'url' | 'impacted' | 'days' | 'since'> & Partial<AlertItem>): AlertItem {
  return {
    impacted: [], since: null, days: null,
    url: fields.entity === null ? null : urlOf(view, fields.entity),
    ...fields,
  };
}

function downItem(view: PolicyView, name: string, state: EntityState | undefined, message: string, at: number, since: number): AlertItem {
  return item(view, {
    event: 'down', entity: name, status: state?.status ?? 'error', message, at, since,
    impacted: impactedBy(view, name), key: `${name}:down:${at}`,
  });
}

function recoveredItem(view: PolicyView, name: string, to: EntityState['status'], message: string, at: number, told: Announcement): AlertItem {
  return item(view, {
    event: 'recovered', entity: name, status: to, message, at, since: told.since, key: `${name}:recovered:${at}`,
    ...(told.impacted && told.impacted.length > 0 ? { reach: told.impacted } : {}),
  });
}

/** The impacted entities told so far, with those of a new message. */
function withImpacted(told: Announcement, impacted: readonly string[]): Announcement {
  const all = [...new Set([...(told.impacted ?? []), ...impacted])];
  return all.length === 0 ? told : { ...told, impacted: all };
}

/** The smallest threshold at or above `days`, or null when the certificate is far from expiry. */
export function certBand(days: number): number | null {
  let band: number | null = null;
  for (const t of CERT_THRESHOLDS) if (days <= t) band = t;
  return band;
}

/**
 * Flapping starts: one message, then silence. It settles: one message with the final state,
 * which is then told as a failure (or its recovery) would be, so nothing is left untold.
 * Changes `flapping` and `announced` in place (decide's own copies).
 */
function flapItems(
  trigger: Extract<Trigger, { kind: 'flapping' }>, view: PolicyView, state: EntityState | undefined,
  flapping: Record<string, number>, announced: Record<string, Announcement>,
): AlertItem[] {
  const { name, at } = trigger;
  if (trigger.flapping) {
    if (flapping[name] !== undefined) return [];
    flapping[name] = at;
    return [item(view, {
      event: 'flapping', entity: name, status: state?.status ?? null, at, since: at, key: `${name}:flapping:${at}`,
      message: `state changed in ${trigger.percent}% of the last 20 checks; alerts pause until it settles`,
    })];
  }
  const since = flapping[name];
  if (since === undefined) return [];
  delete flapping[name];
  const status = state?.status ?? 'unknown';
  const out = [item(view, {
    event: 'flapping_end', entity: name, status, message: state?.message ?? '', at, since, key: `${name}:flapping_end:${at}`,
  })];
  const told = announced[name];
  if (told && (status === 'ok' || status === 'degraded')) {
    delete announced[name];
    out.push(recoveredItem(view, name, status, state!.message, at, told));
  } else if (!told && status === 'error') {
    const down = downItem(view, name, state, state!.message, at, state!.since ?? at);
    announced[name] = withImpacted({ since: down.since!, reminded_at: at, key: down.key }, down.impacted);
    out.push(down);
  }
  return out;
}

/**
 * An entity confirmed blocked behind `root` after the root's message went out, within the
 * window: the root's message is completed (one `impacted` item naming every entity impacted so
 * far). Changes `announced` in place (decide's own copy). Never a second `down`.
 */
function impactedUpdate(
  view: PolicyView, stateOf: ReadonlyMap<string, EntityState>, announced: Record<string, Announcement>, root: string | null, at: number,
): AlertItem | null {
  const told = root === null ? undefined : announced[root];
  if (!told || told.key === undefined || at - told.since > IMPACTED_WINDOW_MS) return null;
  const now = impactedBy(view, root!);
  const known = new Set(told.impacted ?? []);
  if (now.every((n) => known.has(n))) return null;
  const impacted = [...told.impacted ?? [], ...now.filter((n) => !known.has(n))];
  const number = (told.updates ?? 0) + 1;
  announced[root!] = { ...told, impacted, updates: number };
  const state = stateOf.get(root!);
  return item(view, {
    event: 'impacted', entity: root!, status: state?.status ?? 'error', message: state?.message ?? '', at, since: told.since,
    impacted, key: `${root}:impacted:${told.since}:${number}`, update: { down_key: told.key, number },
  });
}

/** Applies a batch of triggers, in order. */
export function decide(book: Bookkeeping, triggers: readonly Trigger[], view: PolicyView): Decision {
  const announced = { ...book.announced };
  const degraded = { ...book.degraded };
  const certs = { ...book.certs };
  const flapping = { ...book.flapping };
  const items: AlertItem[] = [];
  const stateOf = new Map(view.states.map((s) => [s.name, s]));
  const rootsUpdated = new Set<string>();

  const underMaintenance = (name: string) => stateOf.get(name)?.status === 'maintenance';

  for (const trigger of triggers) {
    if (trigger.kind === 'maintenance') {
      items.push(maintenanceItem(view, trigger.change));
      continue;
    }
    // During maintenance nothing new is told (a recovery still is: see the transitions below).
    if (trigger.kind === 'flapping' && trigger.flapping && underMaintenance(trigger.name)) continue;
    if (trigger.kind === 'certificate' && underMaintenance(trigger.name)) continue;
    if (trigger.kind === 'flapping') {
      items.push(...flapItems(trigger, view, stateOf.get(trigger.name), flapping, announced));
      continue;
    }
    if (trigger.kind === 'certificate') {
      const { name, days, at } = trigger;
      const band = certBand(days);
      if (band === null) {
        delete certs[name]; // a renewed certificate: its successor gets its own warnings
      } else if (view.degraded && (certs[name] === undefined || band < certs[name])) {
        certs[name] = band;
        items.push(item(view, {
          event: 'certificate', entity: name, status: stateOf.get(name)?.status ?? null,
          message: `TLS certificate expires in ${days} days`, at, days, key: `${name}:cert${band}:${at}`,
        }));
      }
      continue;
    }
    const t = trigger.transition;
    if (flapping[t.name] !== undefined) continue; // nothing in between while it flaps
    const passing = t.to === 'ok' || t.to === 'degraded';
    if (t.to === 'error') {
      delete degraded[t.name];
      if (announced[t.name]) continue; // still the same announced failure (it was blocked meanwhile)
      // The failure began with the first failed check (pending) or when it was blocked.
      const since = t.from === 'pending' || t.from === 'blocked' ? (t.prev_since ?? t.at) : t.at;
      const down = downItem(view, t.name, stateOf.get(t.name), t.message, t.at, since);
      announced[t.name] = withImpacted({ since, reminded_at: t.at, key: down.key }, down.impacted);
      items.push(down);
    } else if (passing && announced[t.name]) {
      const told = announced[t.name]!;
      delete announced[t.name];
      items.push(recoveredItem(view, t.name, t.to, t.message, t.at, told));
      if (t.to === 'degraded' && view.degraded) degraded[t.name] = t.at;
    } else if (t.to === 'degraded') {
      if (view.degraded && degraded[t.name] === undefined) {
        degraded[t.name] = t.at;
        items.push(item(view, {
          event: 'degraded', entity: t.name, status: 'degraded', message: t.message, at: t.at, since: t.at,
          key: `${t.name}:degraded:${t.at}`,
        }));
      }
    } else if (t.to === 'ok' && degraded[t.name] !== undefined) {
      const since = degraded[t.name]!;
      delete degraded[t.name];
      if (view.degraded) {
        items.push(item(view, {
          event: 'undegraded', entity: t.name, status: 'ok', message: t.message, at: t.at, since,
          key: `${t.name}:undegraded:${t.at}`,
        }));
      }
    }
    const root = t.to === 'blocked' ? stateOf.get(t.name)?.blocked_by ?? null : null;
    // The view is the same for the whole batch: a root's first update already names everyone
    // blocked behind it, so later blocked transitions of the batch have nothing to add.
    if (root !== null && !rootsUpdated.has(root)) {
      rootsUpdated.add(root);
      const update = impactedUpdate(view, stateOf, announced, root, t.at);
      if (update) items.push(update);
    }
    // `pending` and `unknown` say nothing; `blocked` completes its root's message (above).
  }
  return { items, bookkeeping: { ...book, announced, degraded, certs, flapping, acks: openAcks(book.acks, announced) } };
}

/**
 * Brings the bookkeeping in line with the states after a gap (a restart, channels configured
 * anew): a confirmed failure nobody was told about is announced, an announced one that passes
 * now gets its recovery, and entities no longer configured are forgotten. The keys match the
 * ones the live path would have used, so nothing queued before is queued again.
 */
export function reconcile(book: Bookkeeping, view: PolicyView): Decision {
  const announced: Record<string, Announcement> = {};
  const items: AlertItem[] = [];
  const configured = new Set(view.states.map((s) => s.name));
  const flapping: Record<string, number> = {};
  for (const state of view.states) {
    const told = book.announced[state.name];
    const flapSince = book.flapping[state.name];
    if (flapSince !== undefined || view.flapping?.has(state.name)) {
      // Flapping as told: still silent. Started or settled during the gap: say so now.
      if (told) announced[state.name] = told;
      if (flapSince !== undefined) flapping[state.name] = flapSince;
      const now = view.flapping?.has(state.name) ?? true;
      if (now !== (flapSince !== undefined)) {
        const at = state.lastcheck ?? state.since ?? 0;
        items.push(...flapItems({ kind: 'flapping', name: state.name, flapping: now, percent: 0, at }, view, state, flapping, announced));
      }
      continue;
    }
    const since = state.since ?? 0;
    if (told && (state.status === 'ok' || state.status === 'degraded')) {
      items.push(recoveredItem(view, state.name, state.status, state.message, since, told));
    } else if (told) {
      announced[state.name] = told;
    } else if (state.status === 'error') {
      const down = downItem(view, state.name, state, state.message, since, since);
      announced[state.name] = withImpacted({ since, reminded_at: since, key: down.key }, down.impacted);
      items.push(down);
    }
  }
  const keep = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).filter(([name]) => configured.has(name)));
  return {
    items,
    bookkeeping: { ...book, announced, degraded: keep(book.degraded), certs: keep(book.certs), flapping, acks: openAcks(book.acks, announced) },
  };
}

/** Still in error and not flapping: reminders go on, unless acknowledged (until the ack's end). */
function remindable(book: Bookkeeping, state: EntityState): boolean {
  return state.status === 'error' && book.flapping[state.name] === undefined;
}

/** When reminders may resume for an acknowledged incident: its `until`, never when it has none. */
function ackedUntil(book: Bookkeeping, name: string): number {
  const ack = ackOf(book, name);
  return ack === null ? -Infinity : ack.until ?? Infinity;
}

/** Reminders due at `now` for entities still in error; missed ones collapse into one. */
export function dueReminders(book: Bookkeeping, view: PolicyView, now: number, reminderMs: number): Decision {
  if (reminderMs <= 0) return { items: [], bookkeeping: book };
  const announced = { ...book.announced };
  const items: AlertItem[] = [];
  for (const state of view.states) {
    const told = announced[state.name];
    if (!told || !remindable(book, state) || told.reminded_at + reminderMs > now || ackedUntil(book, state.name) > now) continue;
    const periods = Math.floor((now - told.reminded_at) / reminderMs);
    const due = told.reminded_at + periods * reminderMs;
    const impacted = impactedBy(view, state.name);
    announced[state.name] = withImpacted({ ...told, reminded_at: due }, impacted);
    items.push(item(view, {
      event: 'reminder', entity: state.name, status: 'error', message: state.message, at: due, since: told.since,
      impacted, key: `${state.name}:reminder:${due}`,
    }));
  }
  return { items, bookkeeping: { ...book, announced } };
}

/** When the next reminder falls due, or null when none will. */
export function nextReminderAt(book: Bookkeeping, view: PolicyView, reminderMs: number): number | null {
  if (reminderMs <= 0) return null;
  let next: number | null = null;
  for (const state of view.states) {
    const told = book.announced[state.name];
    if (!told || !remindable(book, state)) continue;
    const due = Math.max(told.reminded_at + reminderMs, ackedUntil(book, state.name));
    if (!Number.isFinite(due)) continue;
    if (next === null || due < next) next = due;
  }
  return next;
}

/** One message for the items of a batch; its key is derived from theirs, so it is stable too. */
export function alertOf(items: readonly AlertItem[]): Alert | null {
  if (items.length === 0) return null;
  if (items.length === 1) return { key: items[0]!.key, items };
  const digest = createHash('sha256').update(items.map((i) => i.key).join('\n')).digest('hex').slice(0, 24);
  return { key: `batch:${digest}`, items };
}
