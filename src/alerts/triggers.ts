// Pure steps of the alert service (service.ts): which results reach the policy, when a batch
// window should wait, and the outbox messages an alert becomes.
import type { EntityState, Status } from '../domain.ts';
import type { NewOutboxMessage } from '../store/store.ts';
import type { AlertItem, Channel } from './alert.ts';
import type { Bookkeeping, Trigger } from './policy.ts';
import { alertOf, certBand } from './policy.ts';
import { firstFollowUpOnly } from './alert.ts';
import { routeItems } from './routing.ts';
import type { Router } from './routing.ts';

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

/** Each channel's items routed into one alert, one message per envelope, stamped `now`. */
export function outboxMessages(items: readonly AlertItem[], router: Router, channels: readonly Channel[], now: number): NewOutboxMessage[] {
  const routed = routeItems(items, router);
  return channels.flatMap((c) => {
    const routedAlert = alertOf(routed.get(c.name) ?? []);
    const alert = routedAlert !== null && c.oneFollowUp ? firstFollowUpOnly(routedAlert) : routedAlert;
    return alert === null ? [] : c.envelopes(alert).map((e) => ({ channel: c.name, key: e.key, payload: e.payload, created_at: now }));
  });
}

/**
 * Items that waited in memory while the store failed, as they are told once it is back: a
 * failure that was never told and has recovered since becomes one `outage` item ("down from …
 * to …") in place of its down, reminders and recovery; `impacted` updates of a down not yet told
 * are folded into it. Everything else stays as it was.
 */
export function mergeOutages(items: readonly AlertItem[]): AlertItem[] {
  const out: (AlertItem | null)[] = [...items];
  const openDown = new Map<string, number>();
  for (let n = 0; n < out.length; n++) {
    const i = out[n]!;
    if (i.entity === null) continue;
    if (i.event === 'down') {
      openDown.set(i.entity, n);
    } else if (i.event === 'reminder' && openDown.has(i.entity)) {
      out[n] = null;
    } else if (i.event === 'impacted' && openDown.has(i.entity)) {
      // The down itself has not gone out yet: it names them all, nothing to complete.
      const at = openDown.get(i.entity)!;
      out[at] = { ...out[at]!, impacted: i.impacted };
      out[n] = null;
    } else if (i.event === 'recovered' && openDown.has(i.entity)) {
      const at = openDown.get(i.entity)!;
      const down = out[at]!;
      openDown.delete(i.entity);
      out[n] = null;
      out[at] = {
        ...down, event: 'outage', status: i.status, at: i.at, key: `${i.entity}:outage:${down.at}`,
        ...(i.reach ? { reach: i.reach } : {}),
      };
    }
  }
  return out.filter((i) => i !== null);
}
