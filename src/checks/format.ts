// Pure formatting shared by the checks: figures people read in messages and on the map.

/** Seconds as a person would write them: 10, 0.5, 0.33. */
export function formatSeconds(seconds: number): string {
  return String(Number(seconds.toFixed(2)));
}

/** Milliseconds with precision that matches their size: 0.04, 3.2, 183. */
export function formatMs(ms: number): string {
  if (ms >= 100) return String(Math.round(ms));
  if (ms >= 10) return String(Number(ms.toFixed(1)));
  return String(Number(ms.toFixed(2)));
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** 1024-based size with one decimal: `7.3 MB`, `512 B`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Keeps foreign text (error messages, JSON values) short enough for a map cell and one log line. */
export function truncate(text: string, max = 120): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** Numbers from foreign sources (ping's strings, int8 as text); null when not a finite number. */
export function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}
