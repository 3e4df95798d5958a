// The windows a series can cover and how each is cut into buckets. Short windows are built from
// raw results (minute detail, exact percentiles); longer ones from the hourly aggregates, so a
// 90-day series reads about 2,200 hour rows per entity whatever the check interval.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface SeriesWindow {
  readonly length: number;
  /** Bucket size; buckets start at multiples of it since the epoch (so days are UTC days). */
  readonly step: number;
  readonly source: 'raw' | 'hourly';
}

export const WINDOWS = {
  '1h': { length: HOUR, step: MIN, source: 'raw' },
  '24h': { length: DAY, step: 5 * MIN, source: 'raw' },
  '7d': { length: 7 * DAY, step: HOUR, source: 'hourly' },
  '30d': { length: 30 * DAY, step: HOUR, source: 'hourly' },
  '90d': { length: 90 * DAY, step: DAY, source: 'hourly' },
} as const satisfies Record<string, SeriesWindow>;

export type WindowName = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[];

export function isWindowName(value: unknown): value is WindowName {
  return typeof value === 'string' && Object.hasOwn(WINDOWS, value);
}

export interface BucketRange {
  /** Start of the first bucket. */
  readonly from: number;
  /** The end of the series: `now`, inside the last bucket. */
  readonly to: number;
  readonly step: number;
  readonly count: number;
}

/** The window's buckets: the last one holds `now`, and together they span `length`. */
export function bucketRange(window: SeriesWindow, now: number): BucketRange {
  const count = window.length / window.step;
  const last = Math.floor(now / window.step) * window.step;
  return { from: last - (count - 1) * window.step, to: now, step: window.step, count };
}

/** An arbitrary range cut into buckets of `step` (reports: a calendar month by days). */
export function customRange(from: number, to: number, step: number): BucketRange {
  return { from, to, step, count: Math.max(1, Math.ceil((to - from) / step)) };
}

/**
 * Share of [from, to] after the first check (null: never checked): 0.02 after 30 minutes of a
 * 24h window. Six decimals, so a minute of data in a 90-day window still shows as more than none.
 */
export function coverageOf(first: number | null, from: number, to: number): number {
  const span = to - from;
  if (first === null || span <= 0) return 0;
  return Math.round(Math.min(1, Math.max(0, (to - Math.max(from, first)) / span)) * 1e6) / 1e6;
}
