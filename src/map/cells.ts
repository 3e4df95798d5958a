// The text of one entity's cell. Each line has the live text and a slot: the text the layout is
// computed with. Labels are their own slot; figures (latency, ratio, sizes) get a fixed-width slot
// that any value of that kind fits in, so a new figure never needs a new layout.
import type { Entity, EntityState, Extra, ExtraValue } from '../types.ts';
import { checkTypeOf } from '../checks/registry.ts';
import { cleanText } from './escape.ts';
import { fitWidth, textWidth, widthSlot } from './measure.ts';

export interface CellLine {
  /** What the cell shows (clean, not escaped; no wider than the slot). */
  readonly text: string;
  /** What the layout measures (clean, not escaped). */
  readonly slot: string;
}

/** Compartments of a cell: [name], [figures, ratio, status], [extra items] when there are any. */
export type Cell = readonly (readonly CellLine[])[];


const SEP = ' · ';

function line(text: string, slot: string): CellLine {
  const cleanSlot = cleanText(slot) || '-';
  return { text: fitWidth(cleanText(text), textWidth(cleanSlot)), slot: cleanSlot };
}

const label = (text: string): CellLine => line(text, text);

export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 100_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

export function formatRatio(state: EntityState): string {
  const total = state.success_count + state.fail_count;
  if (total === 0) return '—';
  return `${((state.success_count / total) * 100).toFixed(2)} %`;
}

function figureLine(entity: Entity, state: EntityState): CellLine {
  const live = [entity.type, formatLatency(state.latency_ms)];
  const slot = [entity.type, '0000 ms'];
  const figure = checkTypeOf(entity).figure?.(entity, state);
  if (figure) {
    live.push(figure.text);
    slot.push(figure.slot);
  }
  return line(live.join(SEP), slot.join(SEP));
}

/** Everything the status line can say for this entity, so its slot fits each of them. */
function statusSlot(entity: Entity, below: readonly string[]): string {
  const digits = '0'.repeat(String(entity.failure_threshold).length);
  const candidates = ['not checked yet', 'degraded', `pending ${digits}/${digits}`, ...below.map((d) => `blocked by ${cleanText(d)}`)];
  return candidates.reduce((a, b) => (textWidth(b) > textWidth(a) ? b : a));
}

export function statusText(entity: Entity, state: EntityState): string {
  switch (state.status) {
    case 'unknown': return 'not checked yet';
    case 'pending': return `pending ${state.consecutive_failures}/${entity.failure_threshold}`;
    case 'blocked': return state.blocked_by ? `blocked by ${state.blocked_by}` : 'blocked';
    default: return state.status;
  }
}

const show = (value: ExtraValue): string => (typeof value === 'string' ? value : String(value));

/** User facts are labels; check figures change from check to check and get a width slot. */
function extraLines(entity: Entity, figures: Extra): CellLine[] {
  const lines: CellLine[] = [];
  for (const [key, value] of Object.entries(entity.extra)) {
    if (key in figures) continue;
    lines.push(label(`${key}: ${show(value)}`));
  }
  // Figures shown elsewhere in the cell (api: http_status) or duplicating another (size_bytes).
  const hidden = checkTypeOf(entity).hiddenFigures ?? [];
  for (const key of Object.keys(figures).sort()) {
    if (hidden.includes(key)) continue;
    const value = cleanText(show(figures[key]!));
    lines.push(line(`${key}: ${value}`, `${key}: ${widthSlot(value)}`));
  }
  return lines;
}

/**
 * The cell of one entity. `below` lists every entity it depends on, directly or further down
 * (a blocked entity names one of them).
 */
export function buildCell(entity: Entity, state: EntityState, below: readonly string[]): Cell {
  const body = [figureLine(entity, state), line(`success ${formatRatio(state)}`, 'success 100.00 %'), line(statusText(entity, state), statusSlot(entity, below))];
  const extras = extraLines(entity, state.extra);
  return extras.length > 0 ? [[label(entity.name)], body, extras] : [[label(entity.name)], body];
}
