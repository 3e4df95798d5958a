// Which entities show `maintenance`, and since when: kept in the store so that a restart, and
// `pulsemap render`, show what the running service showed.
import type { EntityState } from '../types.ts';
import type { Store } from '../store/store.ts';

/** Meta key: the entities showing maintenance and since when. */
export const SHOWN_KEY = 'maintenance_shown';

/** What an entity under maintenance shows: its verdict goes on underneath. */
export function underMaintenance(state: EntityState, since: number): EntityState {
  return { ...state, status: 'maintenance', since, blocked_by: null };
}

/** The stored list; an unreadable one is reported through `unreadable` and read as empty. */
export async function readShown(store: Pick<Store, 'getMeta'>, unreadable: (err: unknown) => void): Promise<Record<string, number>> {
  const text = await store.getMeta(SHOWN_KEY);
  try {
    return JSON.parse(text ?? '{}') as Record<string, number>;
  } catch (err) {
    unreadable(err);
    return {};
  }
}
