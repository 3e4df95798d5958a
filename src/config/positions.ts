// Finds where a value lives in the YAML source, by the JSON path the validators speak.
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, Pair } from 'yaml';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Located {
  /** The key naming the value, when the value sits in a map. */
  readonly key: Node | null;
  /** The value itself; null when the path leads nowhere (e.g. a missing key). */
  readonly value: Node | null;
}

/** `/entities/a~1b/0` -> ['entities', 'a/b', '0'] (RFC 6901). */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pathToPointer(path: Path): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** A `<<` merge key: the library marks it with a symbol, so a quoted "<<" stays an ordinary key. */
function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol';
}

function keyText(pair: Pair): string | null {
  const key = pair.key;
  if (isScalar(key)) return typeof key.value === 'symbol' ? null : String(key.value);
  return key === null || key === undefined ? null : String(key);
}

/** The pair for `name` in a map, looking through `<<` merge keys the way the YAML library merges. */
function findPair(doc: Document, map: unknown, name: string, depth = 0): Pair | null {
  if (!isMap(map) || depth > 8) return null;
  const merges: unknown[] = [];
  for (const pair of map.items) {
    const k = keyText(pair);
    if (k === name) return pair;
    if (isMergeKey(pair)) merges.push(pair.value);
  }
  for (const merge of merges) {
    const sources = isSeq(merge) ? merge.items : [merge];
    for (const source of sources) {
      const found = findPair(doc, resolve(doc, source), name, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

function resolve(doc: Document, node: unknown): unknown {
  // One alias level is enough: an anchor cannot point at an alias.
  return isAlias(node) ? node.resolve(doc) : node;
}

/** Follows `path` from the document root through maps, lists and aliases. */
export function locate(doc: Document, path: Path): Located {
  let key: Node | null = null;
  let value: unknown = doc.contents;
  for (const segment of path) {
    const container = resolve(doc, value);
    if (isMap(container)) {
      const pair = findPair(doc, container, String(segment));
      if (!pair) return { key, value: null };
      key = isPair(pair) && pair.key && typeof pair.key === 'object' ? (pair.key as Node) : null;
      value = pair.value;
    } else if (isSeq(container)) {
      key = null;
      value = container.items[Number(segment)];
      if (value === undefined) return { key, value: null };
    } else {
      return { key, value: null };
    }
  }
  return { key, value: (value as Node | null | undefined) ?? null };
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

function startOf(node: Node | null): number | null {
  const range = node?.range;
  return range ? range[0] : null;
}

function isEmpty(node: Node | null): boolean {
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

/**
 * Where to point for `path`:
 * - `value`: the value (or its key when the value is empty or missing, or the nearest parent);
 * - `key`: the key naming it (for unknown properties and for "missing property" in this map).
 */
export function positionOf(doc: Document, lines: LineCounter, path: Path, at: 'key' | 'value'): Position {
  // When the path leads nowhere (a missing key), fall back to the nearest parent's key.
  for (let n = path.length; n >= 0; n--) {
    const { key, value } = locate(doc, path.slice(0, n));
    const preferKey = at === 'key' || isEmpty(value) || n < path.length;
    const preferred = preferKey ? [key, value] : [value, key];
    for (const node of preferred) {
      const offset = startOf(node);
      if (offset !== null) return lines.linePos(offset);
    }
  }
  return { line: 1, col: 1 };
}

/** Positions of the keys written directly in the map at `path` (merged-in keys are not listed). */
export function keyPositions(doc: Document, lines: LineCounter, path: Path): Map<string, Position> {
  const out = new Map<string, Position>();
  const { value } = locate(doc, path);
  const map = resolve(doc, value);
  if (!isMap(map)) return out;
  for (const pair of map.items) {
    const name = keyText(pair);
    const offset = startOf(pair.key as Node | null);
    if (name !== null && offset !== null && !out.has(name)) out.set(name, lines.linePos(offset));
  }
  return out;
}
