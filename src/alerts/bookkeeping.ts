// The alert bookkeeping in the store's meta area, with a journal of the messages being queued.
// Bookkeeping and the messages it implies are written in one statement before the messages
// enter the outbox; a restart re-queues the journal (idempotent by key), so a crash between the
// two writes neither loses a message nor sends one twice.
import type { NewOutboxMessage, Store } from '../store/store.ts';
import type { AckRecord, Bookkeeping } from './policy.ts';
import { EMPTY_BOOKKEEPING } from './policy.ts';

export const META_KEY = 'alerts';

export interface Saved {
  readonly bookkeeping: Bookkeeping;
  /** Messages written here before the outbox; empty once they are in it. */
  readonly pending: readonly NewOutboxMessage[];
}

function record<T>(value: unknown, valid: (v: unknown) => v is T): Record<string, T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, T] => valid(entry[1])));
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const has = <K extends string>(v: unknown, keys: readonly K[]): v is Record<K, number> =>
  typeof v === 'object' && v !== null && keys.every((k) => isNumber((v as Record<string, unknown>)[k]));
const isAnnouncement = (v: unknown): v is { since: number; reminded_at: number } => has(v, ['since', 'reminded_at']);

const isAckRecord = (v: unknown): v is AckRecord => has(v, ['at', 'incident']) && typeof (v as { by?: unknown }).by === 'string';

/** Reads what was saved; anything unreadable counts as nothing told yet. */
export function parseSaved(text: string | null): Saved {
  if (text === null) return { bookkeeping: EMPTY_BOOKKEEPING, pending: [] };
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { bookkeeping: EMPTY_BOOKKEEPING, pending: [] };
  }
  return {
    bookkeeping: {
      announced: record(raw.announced, isAnnouncement),
      degraded: record(raw.degraded, isNumber),
      certs: record(raw.certs, isNumber),
      config_error: typeof raw.config_error === 'string' ? raw.config_error : null,
      flapping: record(raw.flapping, isNumber),
      acks: record(raw.acks, isAckRecord),
      probes_offline: record(raw.probes_offline, isNumber),
    },
    pending: Array.isArray(raw.pending) ? (raw.pending as NewOutboxMessage[]) : [],
  };
}

export async function loadSaved(store: Store): Promise<Saved> {
  return parseSaved(await store.getMeta(META_KEY));
}

export async function save(store: Store, saved: Saved): Promise<void> {
  await store.setMeta(META_KEY, JSON.stringify({ ...saved.bookkeeping, pending: saved.pending }));
}
