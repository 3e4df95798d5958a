// Text widths as nomnoml measures them when it renders without a DOM (its built-in table for a
// 12 pt font). nomnoml does not export the table; the copy must match it so that a live figure
// never outgrows the slot its cell was laid out with.

const WIDTHS: Readonly<Record<string, number>> = {
  '0': 10, '1': 10, '2': 10, '3': 10, '4': 10, '5': 10, '6': 10, '7': 10, '8': 10, '9': 10, ' ': 5, '!': 5,
  '"': 6, '#': 10, '$': 10, '%': 15, '&': 11, "'": 4, '(': 6, ')': 6, '*': 7, '+': 10, ',': 5, '-': 6, '.': 5,
  '/': 5, ':': 5, ';': 5, '<': 10, '=': 10, '>': 10, '?': 10, '@': 17, A: 11, B: 11, C: 12, D: 12, E: 11,
  F: 10, G: 13, H: 12, I: 5, J: 9, K: 11, L: 10, M: 14, N: 12, O: 13, P: 11, Q: 13, R: 12, S: 11, T: 10,
  U: 12, V: 11, W: 16, X: 11, Y: 11, Z: 10, '[': 5, '\\': 5, ']': 5, '^': 8, _: 10, '`': 6, a: 10, b: 10,
  c: 9, d: 10, e: 10, f: 5, g: 10, h: 10, i: 4, j: 4, k: 9, l: 4, m: 14, n: 10, o: 10, p: 10, q: 10, r: 6,
  s: 9, t: 5, u: 10, v: 9, w: 12, x: 9, y: 9, z: 9, '{': 6, '|': 5, '}': 6, '~': 10,
};
/** nomnoml's width for anything outside its table (each UTF-16 unit counts). */
const OTHER = 16;

export function textWidth(text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) width += WIDTHS[text[i]!] ?? OTHER;
  return width;
}

const ELLIPSIS = '…';

/** `text`, shortened with an ellipsis until it is no wider than `width`. */
export function fitWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const chars = Array.from(text);
  let used = textWidth(ELLIPSIS);
  let out = '';
  for (const ch of chars) {
    const w = textWidth(ch);
    if (used + w > width) break;
    used += w;
    out += ch;
  }
  return out + ELLIPSIS;
}

/** A slot of zeros at least as wide as `text`, rounded up to `step` px so small changes keep it. */
export function widthSlot(text: string, step = 40): string {
  const zeros = Math.max(1, Math.ceil(textWidth(text) / step)) * (step / WIDTHS['0']!);
  return '0'.repeat(zeros);
}
