// The text of one entity's cell. Each line has the live text and a slot: the text the layout is
// computed with. Labels are their own slot; figures (latency, ratio, sizes) get a fixed-width slot
// that any value of that kind fits in, so a new figure never needs a new layout.
import type { Entity, EntityState, Extra, ExtraValue, Status } from '../types.ts';
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

function figureLine(entity: Entity, state: EntityState): { text: string; slot: string } {
  const live = [entity.type, formatLatency(state.latency_ms)];
  const slot = [entity.type, '0000 ms'];
  const figure = checkTypeOf(entity).figure?.(entity, state);
  if (figure) {
    live.push(figure.text);
    slot.push(figure.slot);
  }
  return { text: live.join(SEP), slot: slot.join(SEP) };
}

/** Widest reason a failing cell shows; longer ones end in an ellipsis. */
const REASON_SLOT = '0'.repeat(16);

/**
 * A failure in a word or two, for the cell (the full message is in the details panel):
 * "refused", "503", "timeout", "not found", else the message's start.
 */
export function shortReason(message: string): string {
  const status = /\bgot (\d{3})\b|\bHTTP (\d{3})\b/.exec(message);
  if (status) return status[1] ?? status[2]!;
  const known: readonly [RegExp, string][] = [
    [/refused/i, 'refused'], [/time(d)? ?out/i, 'timeout'], [/not found|ENOTFOUND|DNS/i, 'not found'],
    [/reset|closed by peer/i, 'reset'], [/unreachable/i, 'unreachable'], [/certificate/i, 'certificate'],
    [/packet loss|no answer|no reply/i, 'no answer'], [/too large/i, 'too large'], [/body|json|expected/i, 'bad answer'],
  ];
  for (const [pattern, word] of known) if (pattern.test(message)) return word;
  return cleanText(message, 24) || 'failed';
}

/** What the second line says: the figure while the entity passes, else what is wrong. */
export function statusText(entity: Entity, state: EntityState): string | null {
  switch (state.status) {
    case 'unknown': return 'not checked yet';
    case 'error': return shortReason(state.message);
    case 'pending': return `${shortReason(state.message)} · ${state.consecutive_failures}/${entity.failure_threshold}`;
    case 'blocked': return state.blocked_by ? `blocked by ${state.blocked_by}` : 'blocked';
    default: return null;
  }
}

/** Everything the second line can say for this entity, so its slot fits each of them. */
function statusSlot(entity: Entity, below: readonly string[], figureSlot: string): string {
  const digits = '0'.repeat(String(entity.failure_threshold).length);
  const candidates = [figureSlot, 'not checked yet', REASON_SLOT, `${REASON_SLOT} · ${digits}/${digits}`, ...below.map((d) => `blocked by ${cleanText(d)}`)];
  return candidates.reduce((a, b) => (textWidth(b) > textWidth(a) ? b : a));
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
 * The cell of one entity: its name, then one line that says what is wrong when something is
 * (else its type and latest figure), then its extra items. `below` lists every entity it depends
 * on, directly or further down (a blocked entity names one of them).
 */
export function buildCell(entity: Entity, state: EntityState, below: readonly string[]): Cell {
  const figure = figureLine(entity, state);
  const body = [line(statusText(entity, state) ?? figure.text, statusSlot(entity, below, figure.slot))];
  const extras = extraLines(entity, state.extra);
  return extras.length > 0 ? [[label(entity.name)], body, extras] : [[label(entity.name)], body];
}

/** Entities per status. */
export type StatusCounts = Readonly<Record<Status, number>>;

/** Worst first: the status a group cell is coloured by is the first one it has. */
export const SEVERITY: readonly Status[] = ['error', 'blocked', 'pending', 'degraded', 'maintenance', 'ok', 'unknown'];

export function worstStatus(counts: StatusCounts): Status {
  return SEVERITY.find((s) => counts[s] > 0) ?? 'unknown';
}

/** "2 error · 5 blocked", or "all ok". */
export function countsText(counts: StatusCounts): string {
  const total = SEVERITY.reduce((n, s) => n + counts[s], 0);
  if (counts.ok === total) return 'all ok';
  return SEVERITY.filter((s) => counts[s] > 0 && s !== 'ok').map((s) => `${counts[s]} ${s}`).join(SEP);
}

/**
 * A group drawn as one cell: its name, how many entities it holds, and how many of them are in
 * which trouble. The trouble line's slot fits two statuses with the group's largest count.
 */
export function groupCell(name: string, counts: StatusCounts, noun = 'entities'): Cell {
  return collapsedCell(name, undefined, counts, noun);
}

/**
 * A run of groups (or of one group's entities) drawn as one cell (a range): "api-001 … api-120",
 * how many groups (when it holds groups) and entities it holds, and how many are in which trouble.
 */
export function rangeCell(name: string, groups: number | undefined, counts: StatusCounts): Cell {
  return collapsedCell(name, groups, counts, 'entities');
}

function collapsedCell(name: string, groups: number | undefined, counts: StatusCounts, noun: string): Cell {
  const total = SEVERITY.reduce((n, s) => n + counts[s], 0);
  const digits = '0'.repeat(String(total).length);
  const size = `${total} ${total === 1 && noun === 'entities' ? 'entity' : noun}`;
  return [[label(name)], [label(groups === undefined ? size : `${groups} groups${SEP}${size}`), line(countsText(counts), `${digits} blocked${SEP}${digits} pending`)]];
}

/** Entities blocked behind a root, collapsed into one cell of a group (the problems view). */
export function blockedCell(name: string, count: number): Cell {
  return [[label(name)], [label(`${count} blocked`)]];
}

/** An entity outside the view that one inside depends on or is needed by: just its name. */
export function stubCell(name: string): Cell {
  return [[label(name)]];
}

/** A line of text on its own (an empty view says why it is empty). */
export function noteCell(text: string): Cell {
  return [[label(text)]];
}
