// What the alert policy produces and what every channel consumes.
import type { Status } from '../domain.ts';

export type AlertEvent =
  | 'down'
  /** More entities confirmed blocked behind an announced root: its message is completed. */
  | 'impacted'
  | 'recovered'
  /** A failure that began and ended while the store could not take alerts: told once, afterwards. */
  | 'outage'
  | 'reminder'
  | 'degraded'
  | 'undegraded'
  | 'certificate'
  | 'config_invalid'
  | 'config_fixed'
  | 'flapping'
  | 'flapping_end'
  | 'maintenance_start'
  | 'maintenance_end'
  /** A probe at another site stopped reporting, and came back. */
  | 'probe_offline'
  | 'probe_online';

/** One thing to tell: an entity went down, came back, a certificate is expiring... */
export interface AlertItem {
  readonly event: AlertEvent;
  /** null for configuration events. */
  readonly entity: string | null;
  /** The entity's status when the item was made; null for configuration events. */
  readonly status: Status | null;
  /** The entity's own message (its error), or the configuration problems, one per line. */
  readonly message: string;
  /** Entities now `blocked` behind this one (down and reminder items). */
  readonly impacted: readonly string[];
  /** Epoch ms of the event. */
  readonly at: number;
  /** Epoch ms when the failure (or degradation) began: down, reminder, recovered, undegraded. */
  readonly since: number | null;
  /** Days left on the TLS certificate (certificate items). */
  readonly days: number | null;
  /** `public_url#name` when public_url is set. */
  readonly url: string | null;
  /**
   * Entities besides this one whose channels hear this item (routing): for a recovery, those
   * named as impacted while it was down. Absent = none beyond `impacted`.
   */
  readonly reach?: readonly string[];
  /** The maintenance window of maintenance_start and maintenance_end items. */
  readonly window?: MaintenanceNote;
  /** Unique per event: the same event is never queued twice. */
  readonly key: string;
  /**
   * For `impacted` items: the key of the root's `down` item (Telegram edits the message that
   * carried it) and which update of that root this is (1, 2, ...; email sends only the first).
   */
  readonly update?: { readonly down_key: string; readonly number: number };
}

/** What a maintenance message says of its window. */
export interface MaintenanceNote {
  readonly name: string;
  /** Epoch ms when the opening ends (as planned). */
  readonly end: number;
  /** Who ended it before its time; null otherwise. */
  readonly ended_by: string | null;
}

/** One message: the items of one batch, sent as a single message per channel. */
export interface Alert {
  readonly key: string;
  readonly items: readonly AlertItem[];
}

/**
 * For channels that cannot edit a message already sent (email, Slack, Discord, ntfy, Matrix):
 * the alert with only the first `impacted` update of each root, so a root cause brings at most
 * one follow-up there; null when nothing is left to send.
 */
export function firstFollowUpOnly(alert: Alert): Alert | null {
  const items = alert.items.filter((i) => i.event !== 'impacted' || i.update?.number === 1);
  if (items.length === 0) return null;
  return items.length === alert.items.length ? alert : { ...alert, items };
}

/** A message ready for the outbox: channel-specific JSON. */
export interface Envelope {
  readonly key: string;
  readonly payload: string;
}

/** One delivery channel: turns alerts into stored payloads and delivers one payload. */
export interface Channel {
  /** Its key in the channel registry (src/alerts/channel-registry.ts); also its metrics label. */
  readonly name: string;
  /**
   * The channel cannot edit a sent message: a root cause's later `impacted` updates would each be
   * a new message, so it gets only the first (outboxMessages filters them out before envelopes).
   */
  readonly oneFollowUp?: boolean;
  /** What to queue for this alert; keys are unique per alert (or item) and channel. */
  envelopes(alert: Alert): Envelope[];
  /**
   * Delivers one payload; throws DeliveryError (or anything, taken as transient). `memo` is kept
   * by the outbox per channel for the life of the process, across reloads (Telegram keeps the
   * ids of sent messages there, to edit them).
   */
  send(payload: string, signal: AbortSignal, memo?: Map<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** A failed delivery, with what the channel knows about when to try again. */
export class DeliveryError extends Error {
  /** The server asked to wait this long (Telegram's retry_after, HTTP Retry-After). */
  readonly retryAfterMs: number | null;
  /** Retrying the same payload cannot succeed (the message itself was rejected). */
  readonly permanent: boolean;
  constructor(message: string, options: { retryAfterMs?: number | null; permanent?: boolean } = {}) {
    super(message);
    this.name = 'DeliveryError';
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.permanent = options.permanent ?? false;
  }
}
