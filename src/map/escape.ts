// Text from users and targets on its way into a nomnoml cell and into SVG markup.

/** Longest text a cell line shows; the rest of a value lives in the details panel. */
export const MAX_CELL_CHARS = 48;

// Control characters and line breaks (syntax to nomnoml, invalid in XML 1.0), bidirectional
// overrides (they make a cell read backwards), byte-order marks and the two code points XML
// forbids. Zero-width joiners stay: emoji sequences need them.
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]+/gu;

/** One clean line: well-formed Unicode, no control characters, single spaces, at most `max` characters. */
export function cleanText(value: unknown, max = MAX_CELL_CHARS): string {
  const text = String(value).toWellFormed().replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

// nomnoml syntax inside a cell: brackets open and close nodes, `|` splits compartments, `;` and
// line breaks split lines, `<` `>` start classifiers, `\` escapes, `#` starts a directive, a
// backtick splits labels. A backslash makes any of them literal.
const SYNTAX = /[[\]|;<>\\#`]/g;

/** Cell text as nomnoml source: cleaned, every syntax character escaped, never empty. */
export function escapeCell(value: unknown, max = MAX_CELL_CHARS): string {
  const text = cleanText(value, max);
  return text === '' ? '-' : text.replace(SYNTAX, (ch) => `\\${ch}`);
}

/** A directive's value (`#title: ...`) ends at the line break, which cleanText removed. */
export function escapeDirective(value: unknown): string {
  return cleanText(value, 120);
}

const XML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

// Characters XML 1.0 does not allow at all: a document containing one is rejected by browsers.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text or attribute value inside SVG markup; always well-formed XML, whatever the input. */
export function escapeXml(value: string): string {
  return value.toWellFormed().replace(XML_INVALID, '\uFFFD').replace(/[&<>"']/g, (ch) => XML[ch]!);
}
