// YAML-level problems: syntax, duplicate keys, and what the library's messages leave unsaid.
import { isCollection, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node, YAMLError } from 'yaml';

/** Syntax errors and warnings (an unknown tag is as wrong as a typo here) and duplicate keys. */
export function syntaxProblems(doc: Document): { offset: number; message: string }[] {
  const found = [...doc.errors, ...doc.warnings].map((e) => unclosed(doc, e) ?? { offset: e.pos[0], message: yamlMessage(e.message) });
  for (const { offset, key } of duplicateKeys(doc)) found.push({ offset, message: `duplicate key '${key}'` });
  return found;
}

/**
 * A `[`, `{` or quote left open: the parser notices only where the next line starts and reports
 * there ("Flow sequence in block collection must be sufficiently indented..."). Point at the
 * opening character instead, in plain words.
 */
function unclosed(doc: Document, e: YAMLError): { offset: number; message: string } | null {
  if (e.code !== 'BAD_INDENT' && e.code !== 'MISSING_CHAR') return null;
  let found: { offset: number; message: string } | null = null;
  visit(doc, (_key, node) => {
    const range = (node as Node).range;
    if (!range || range[1] !== e.pos[0]) return undefined;
    if (isCollection(node) && node.flow && /^Flow (sequence|map)/.test(e.message)) {
      const [what, open, close] = isMap(node) ? ['map', '{', '}'] : ['list', '[', ']'];
      found = { offset: range[0], message: `this ${what} opened with ${open} is never closed with ${close}` };
    } else if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && /^Missing closing/.test(e.message)) {
      const q = node.type === 'QUOTE_DOUBLE' ? '"' : "'";
      found = { offset: range[0], message: `this quoted text never ends: close it with ${q}` };
    }
    return found ? visit.BREAK : undefined;
  });
  return found;
}

function yamlMessage(message: string): string {
  // The library's messages can run on with an excerpt of the source; the position says enough.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Keys written twice in one map. Compared as text, the way they end up as property names, so
 * `1` and `"1"` clash too; `<<` merge keys may repeat.
 */
function duplicateKeys(doc: Document): { offset: number; key: string }[] {
  const found: { offset: number; key: string }[] = [];
  // A plain walk over maps and sequences (what `visit` would reach, without the ancestor lists
  // it builds for every node: at 20,000 entities that is most of the time).
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isSeq(node)) { for (const item of node.items) pending.push(item); continue; }
    if (!isMap(node)) continue;
    const seen = new Set<string>();
    for (const pair of node.items) {
      pending.push(pair.key, pair.value);
      const key = pair.key as Node | null;
      if (!isScalar(key) || typeof key.value === 'symbol') continue;
      const text = String(key.value);
      if (seen.has(text)) found.push({ offset: key.range?.[0] ?? 0, key: text });
      seen.add(text);
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** `{ host: ${H} }` is a YAML syntax error: braces are flow syntax. Say so where it is likely. */
export function flowHint(text: string, line: number): string {
  const source = text.split('\n')[line - 1] ?? '';
  return /[[{].*\$\{/.test(source) ? ' (inside { } or [ ], quote values that use ${...}: "${NAME}")' : '';
}

export function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

