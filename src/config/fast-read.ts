// The quick read of entities.yaml: js-yaml's event parser and constructor, without the node tree
// and positions the `yaml` library builds (about ten times faster on a large estate). It serves the
// common case, a valid file; whenever it meets something it does not read exactly as the full read
// (load.ts) would, or the file has a problem to point at, it gives up (null) and the full read,
// with positions, decides. So every error comes from the full read, line:column included.
import {
  constructFromEvents, defineScalarTag, EVENT_ID, getScalarValue, mapTag, mergeTag, NOT_RESOLVED, parseEvents,
  SCALAR_STYLE, Schema, seqTag, strTag,
} from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import { MAX_NESTING } from './limits.ts';

// YAML 1.2 core schema, spelled exactly as the `yaml` library resolves plain scalars (its
// dist/schema/core), so both reads give the same value to `0o17`, `+12`, `.inf`, `yes` (a string)...
// (`implicitFirstChars` only saves trying a resolver on text that cannot match it.)
const DIGITS = [...'0123456789'];
const nullTag = defineScalarTag('tag:yaml.org,2002:null', {
  implicit: true,
  implicitFirstChars: ['', '~', 'n', 'N'],
  resolve: (source) => (/^(?:~|[Nn]ull|NULL)?$/.test(source) ? null : NOT_RESOLVED),
  identify: (value) => value === null,
});
const boolTag = defineScalarTag('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['t', 'T', 'f', 'F'],
  resolve: (source) => (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source) ? source[0] === 't' || source[0] === 'T' : NOT_RESOLVED),
  identify: (value) => typeof value === 'boolean',
});
const intTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', ...DIGITS],
  resolve: (source) => {
    if (/^0o[0-7]+$/.test(source)) return parseInt(source.slice(2), 8);
    if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10);
    if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.slice(2), 16);
    return NOT_RESOLVED;
  },
  identify: (value) => Number.isInteger(value),
});
const floatTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: ['-', '+', '.', ...DIGITS],
  resolve: (source) => {
    if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) {
      return source.slice(-3).toLowerCase() === 'nan' ? NaN : source[0] === '-' ? -Infinity : Infinity;
    }
    if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source);
    return NOT_RESOLVED;
  },
  identify: (value) => typeof value === 'number',
});
const SCHEMA = new Schema([strTag, seqTag, mapTag, nullTag, boolTag, intTag, floatTag, mergeTag]);

/**
 * Aliases the quick read accepts. The full read refuses an anchor once its uses, weighted by the
 * aliases inside it, pass MAX_ALIAS_COUNT (500); with at most 17 aliases in the whole file no
 * weighting reaches that (the largest product of counts adding up to 17 is 3^5 x 2 = 486), so
 * both reads agree. A file with more aliases is left to the full read, which counts exactly.
 */
export const FAST_MAX_ALIASES = 17;

export interface FastReading {
  /** The document as plain data (`${VAR}` not yet replaced). */
  readonly data: unknown;
  /** The entities in file order, each with the line of its key (1-based). */
  readonly entities: readonly { readonly name: string; readonly line: number }[];
}

interface Frame {
  readonly map: boolean;
  /** In a map: whether the next node is a key. */
  key: boolean;
  /** This map is the top-level `entities:` one. */
  readonly entities: boolean;
  /** The key just read in the top-level map (to know when `entities:` comes). */
  lastKey?: string;
}

/** Reads `text` quickly, or returns null when only the full read may decide (see above). */
export function fastRead(text: string): FastReading | null {
  // A flow collection closed at its parent's indentation is a warning (an error here) for the
  // `yaml` library but not for js-yaml; such files, rare, go the full way.
  if (/^[ \t]*[\]}]/m.test(text)) return null;
  let events: Event[];
  let data: unknown;
  try {
    events = parseEvents(text, { maxDepth: MAX_NESTING + 1 });
    data = constructFromEvents(events, { source: text, schema: SCHEMA })[0];
  } catch {
    return null;
  }
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  };
  const entities: { name: string; line: number }[] = [];
  const stack: Frame[] = [];
  let documents = 0;
  let aliases = 0;
  /** Anchors on scalars: an alias to one is a copy of text in one library and a node in the other. */
  const scalarAnchors = new Set<string>();
  // `&a:` and `*a:` read differently in the two libraries (the `yaml` library warns).
  const ambiguous = (start: number, end: number): boolean => start !== -1 && text[end - 1] === ':';
  for (const event of events) {
    if (event.type === EVENT_ID.POP) { stack.pop(); continue; }
    if (event.type === EVENT_ID.DOCUMENT) {
      documents += 1;
      // `%YAML 1.1` would switch the `yaml` library to YAML 1.1 (yes/no, 0777...).
      if (documents > 1 || event.directives.length > 0) return null;
      stack.push({ map: false, key: false, entities: false });
      continue;
    }
    if ('tagStart' in event && event.tagStart !== -1) return null;
    if (ambiguous(event.anchorStart, event.anchorEnd)) return null;
    if (event.type === EVENT_ID.ALIAS) {
      if (++aliases > FAST_MAX_ALIASES || scalarAnchors.has(text.slice(event.anchorStart, event.anchorEnd))) return null;
    } else if (event.type === EVENT_ID.SCALAR && event.anchorStart !== -1) {
      scalarAnchors.add(text.slice(event.anchorStart, event.anchorEnd));
    }
    const parent = stack[stack.length - 1];
    let isEntitiesValue = false;
    if (parent?.map) {
      if (parent.key) {
        // Keys: plain text only. A null key reads as '' in one library and 'null' in the other;
        // a collection or alias as a key is no entities.yaml.
        if (event.type !== EVENT_ID.SCALAR) return null;
        const name = keyText(text, event);
        if (name === null) return null;
        if (parent.entities) {
          if (name === '<<' && event.style === SCALAR_STYLE.PLAIN) return null;
          entities.push({ name, line: lineOf(event.valueStart) });
        }
        if (stack.length === 2) parent.lastKey = name;
        parent.key = false;
        continue;
      }
      parent.key = true;
      isEntitiesValue = stack.length === 2 && parent.lastKey === 'entities';
    }
    if (event.type === EVENT_ID.MAPPING) stack.push({ map: true, key: true, entities: isEntitiesValue });
    else if (event.type === EVENT_ID.SEQUENCE) stack.push({ map: false, key: false, entities: false });
    else if (isEntitiesValue && event.type === EVENT_ID.ALIAS) return null;
  }
  // The names found must be exactly the entities read (no merged-in entity, no key read otherwise).
  const read = (data as { entities?: unknown } | null | undefined)?.entities;
  if (typeof read === 'object' && read !== null && !Array.isArray(read)) {
    const names = Object.keys(read);
    const found = new Set(entities.map((e) => e.name));
    if (names.length !== entities.length || found.size !== names.length || !names.every((n) => found.has(n))) return null;
  }
  return { data, entities };
}

/** A key's property name, as both libraries turn it into one; null for a key it cannot be sure of. */
function keyText(text: string, event: ScalarEvent): string | null {
  const source = getScalarValue(text, event);
  if (event.style !== SCALAR_STYLE.PLAIN) return source;
  const value = SCHEMA.resolveImplicitScalarTag(source).value;
  if (value === null || typeof value === 'number') return typeof value === 'number' && Number.isInteger(value) && String(value) === source ? source : null;
  return String(value);
}
