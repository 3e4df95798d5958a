// Flapping, the way Icinga detects it: over the last 21 results (20 possible changes), the
// weighted share of results that differ from the one before, newer changes weighing more
// (0.8 for the oldest slot up to 1.2 for the newest). Flapping starts above `high` percent and
// stops below `low`; in between it stays as it was. Pure: the tracker (flap-tracker.ts) feeds it.

import type { FlapSettings } from '../domain.ts';

/** Icinga 2's defaults. */
export const DEFAULT_FLAP: FlapSettings = { low: 25, high: 30 };

/** Results remembered: one more than the changes weighed. */
export const FLAP_WINDOW = 21;

export interface FlapState {
  /** Whether each of the last results passed, oldest first, at most FLAP_WINDOW. */
  readonly results: readonly boolean[];
  readonly flapping: boolean;
  /** The share of changes after the last result, in percent (2 decimals). */
  readonly percent: number;
}

export const NOT_FLAPPING: FlapState = { results: [], flapping: false, percent: 0 };

/** The weighted share of changes, in percent. Missing older results count as no change. */
export function flapPercent(results: readonly boolean[]): number {
  const slots = FLAP_WINDOW - 1;
  const recent = results.slice(-FLAP_WINDOW);
  // Slot i (0 = oldest) holds the change between result i and i + 1, aligned to the newest.
  const offset = slots - (recent.length - 1);
  let sum = 0;
  for (let i = 1; i < recent.length; i++) {
    if (recent[i] === recent[i - 1]) continue;
    const slot = offset + i - 1;
    sum += 0.8 + (0.4 * slot) / (slots - 1);
  }
  return Math.round((sum / slots) * 10_000) / 100;
}

/** The state after one more result. */
export function stepFlap(state: FlapState, ok: boolean, settings: FlapSettings): FlapState {
  const results = [...state.results, ok].slice(-FLAP_WINDOW);
  const percent = flapPercent(results);
  const flapping = state.flapping ? percent >= settings.low : percent > settings.high;
  return { results, flapping, percent };
}
