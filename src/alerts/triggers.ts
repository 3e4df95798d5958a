// Pure steps of the alert service (service.ts): which results reach the policy, when a batch
// window should wait, and the outbox messages an alert becomes.
import type { EntityState, Status } from '../domain.ts';
import type { NewOutboxMessage } from '../store/store.ts';
import type { Alert, Channel } from './alert.ts';
import type { Bookkeeping, Trigger } from './policy.ts';
import { certBand } from './policy.ts';

/**
 * A certificate figure worth telling the policy about: a new band (30/14/7 days) or a renewed
 * certificate. Most results change nothing and give null. Only with `notify.degraded` on.
 */
export function certificateTrigger(state: EntityState, at: number, book: Bookkeeping, degradedOn: boolean): Trigger | null {
  const days = state.extra.cert_days;
  if (!degradedOn || typeof days !== 'number') return null;
  const whole = Math.floor(days);
  const band = certBand(whole);
  const told = book.certs[state.name];
  if (band === null ? told === undefined : told !== undefined && band >= told) return null;
  return { kind: 'certificate', name: state.name, days: whole, at };
}

/** Entities whose first failure opened part of this batch and whose confirming check is still to come. */
export function awaitingConfirmation(batch: readonly Trigger[], statusOf: (name: string) => Status | undefined): boolean {
  const pending = new Set(batch.flatMap((t) => (t.kind === 'transition' && t.transition.to === 'pending' ? [t.transition.name] : [])));
  return [...pending].some((name) => statusOf(name) === 'pending');
}

/** One message per channel envelope of the alert, stamped `now`. */
export function outboxMessages(alert: Alert | null, channels: readonly Channel[], now: number): NewOutboxMessage[] {
  if (alert === null) return [];
  return channels.flatMap((c) => c.envelopes(alert).map((e) => ({ channel: c.name, key: e.key, payload: e.payload, created_at: now })));
}
