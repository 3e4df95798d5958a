// Text splices: every change to entities.yaml is a list of byte ranges replaced, so everything
// outside them stays exactly as it was written.

export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function applySplices(text: string, splices: readonly Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const s of sorted) {
    if (s.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** Just past the newline ending the line that holds `pos` (or the end of the text). */
export function nextLine(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i === -1 ? text.length : i + 1;
}

/** `end` moved back over trailing white space and newlines. */
export function trimmedEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e -= 1;
  return e;
}

export function columnOf(text: string, pos: number): number {
  return pos - lineStart(text, pos);
}

/**
 * Where the comment lines directly above the line at `pos` begin, counting only comments
 * indented at least `minColumn` (a comment less indented belongs to an outer key).
 */
export function commentBlockStart(text: string, pos: number, minColumn: number): number {
  let start = lineStart(text, pos);
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    const line = text.slice(prev, start - 1);
    const indent = line.length - line.trimStart().length;
    if (!line.trimStart().startsWith('#') || indent < minColumn) break;
    start = prev;
  }
  return start;
}

export function isBlankLine(text: string, start: number): boolean {
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end).trim() === '';
}
