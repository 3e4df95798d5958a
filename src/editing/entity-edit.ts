// Changes to one entity of entities.yaml, worked out on the parsed YAML document (which knows
// where every key and value is written) and applied as text splices, so comments, blank lines,
// key order, quoting and untouched anchors survive. What cannot be changed faithfully is refused.
import { isAlias, isCollection, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { entityLines, flowText, pairLines, scalarText } from './render.ts';
import { applySplices, columnOf, commentBlockStart, isBlankLine, lineStart, nextLine, trimmedEnd } from './text.ts';
import type { Splice } from './text.ts';

/** A change pulsemap will not make by itself; the message says why and what to do. */
export class EditRefused extends Error {
  readonly status: number;
  /** JSON pointer of the field at fault, for a 422. */
  readonly pointer: string | undefined;
  constructor(message: string, status = 409, pointer?: string) {
    super(message);
    this.status = status;
    this.pointer = pointer;
  }
}

export type Fields = Record<string, unknown>;

export function parseForEdit(text: string): Document {
  const doc = parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) throw new EditRefused('entities.yaml has YAML errors; fix them in the file first (pulsemap validate shows where)');
  return doc;
}

const isMergeKey = (pair: Pair): boolean => isScalar(pair.key) && typeof pair.key.value === 'symbol';
const keyOf = (pair: Pair): string => String(isScalar(pair.key) ? pair.key.value : pair.key);
export const range = (node: unknown): [number, number] => {
  const r = (node as Node | null)?.range;
  if (!r) throw new EditRefused('cannot tell where this part of entities.yaml is written; edit the file by hand');
  return [r[0], r[1]];
};

function entitiesMap(doc: Document): YAMLMap {
  const node = doc.get('entities', true);
  if (!isMap(node)) throw new EditRefused('entities.yaml has no entities map to edit');
  if (node.items.some(isMergeKey)) throw new EditRefused('the entities map uses a merge key (<<); edit the file by hand');
  return node;
}

function findEntity(doc: Document, name: string): Pair | undefined {
  return entitiesMap(doc).items.find((p) => !isMergeKey(p) && keyOf(p) === name);
}

/** Anchor names that some alias in the document refers to. */
function usedAnchors(doc: Document): Set<string> {
  const used = new Set<string>();
  visit(doc, { Alias: (_k, node) => { used.add(node.source); } });
  return used;
}

function anchorsIn(node: unknown): string[] {
  const found: string[] = [];
  if (node && typeof node === 'object' && (node as Node).anchor) found.push((node as Node).anchor!);
  if (isCollection(node)) visit(node as never, { Node: (_k, n) => { if (n.anchor) found.push(n.anchor); } });
  return found;
}

export function hasAliasOrAnchor(node: unknown): boolean {
  if (isAlias(node) || anchorsIn(node).length > 0) return true;
  let found = false;
  if (isCollection(node)) visit(node as never, { Alias: () => { found = true; return visit.BREAK; } });
  return found;
}

/** Stable JSON for comparing values as written. */
function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (Array.isArray(v) ? v.map(norm)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, x]) => [k, norm(x)])) : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** The entity as written, `${VAR}` kept, merge keys applied. */
export function entityFields(doc: Document, name: string): Fields | null {
  const pair = findEntity(doc, name);
  if (!pair) return null;
  const value = (doc.toJS({ maxAliasCount: 500 }) as { entities: Record<string, unknown> }).entities[name];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
}

/** Why this entity cannot be edited field by field, or null when it can. */
export function notEditable(doc: Document, name: string): string | null {
  const pair = findEntity(doc, name);
  if (!pair) return null;
  if (isAlias(pair.value)) return `entity '${name}' is written as an alias (*${pair.value.source}); edit the file by hand`;
  if (!isMap(pair.value)) return `entity '${name}' is not written as a map; edit the file by hand`;
  return null;
}

function entityNode(doc: Document, name: string): { pair: Pair; map: YAMLMap } {
  const pair = findEntity(doc, name);
  if (!pair) throw new EditRefused(`no entity named '${name}'`, 404);
  const reason = notEditable(doc, name);
  if (reason) throw new EditRefused(reason);
  return { pair, map: pair.value as YAMLMap };
}

/** Splices that turn the entity's fields into `next`, touching only what changes. */
function fieldSplices(text: string, doc: Document, name: string, next: Fields): Splice[] {
  const { map } = entityNode(doc, name);
  const before = entityFields(doc, name) ?? {};
  return mapSplices(text, doc, map, before, next, `'${name}'`, (key) => key in (entityFieldsWithout(doc, name, key) ?? {}));
}

export const isPlainMap = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Splices for one block map: changed scalars are replaced where they stand, nested block maps
 * are changed key by key, new keys go after the last one, removed keys go with their comments.
 * `mergedIn(key)`: whether a merge key would supply `key` if the map's own one were removed.
 */
export function mapSplices(text: string, doc: Document, map: YAMLMap, before: Fields, next: Fields, where: string, mergedIn: (key: string) => boolean): Splice[] {
  const own = new Map(map.items.filter((p) => !isMergeKey(p)).map((p) => [keyOf(p), p]));
  const merged = map.items.some(isMergeKey);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(next)])].filter((k) => !same(before[k], next[k]));
  if (changed.length === 0) return [];
  if (map.flow) {
    const inPlace = changed.every((k) => isScalar(own.get(k)?.value) && next[k] !== undefined && (next[k] === null || typeof next[k] !== 'object'));
    if (inPlace) {
      return changed.map((k) => {
        const old = own.get(k)!.value as Scalar;
        return { start: range(old)[0], end: range(old)[1], text: scalarText(next[k], old, true) };
      });
    }
    if (hasAliasOrAnchor(map) || merged) throw new EditRefused(`${where} is a { } map with anchors or merge keys; edit the file by hand`);
    const [start, end] = range(map);
    return [{ start, end, text: flowText(next) }];
  }
  const splices: Splice[] = [];
  const added: string[] = [];
  for (const key of changed) {
    const pair = own.get(key);
    const value = next[key];
    if (!pair) {
      if (value === undefined) throw new EditRefused(`'${key}' of ${where} comes from a merge key (<<); remove it there or edit the file by hand`);
      added.push(key); // written into the map itself, it overrides what a merge key gives
      continue;
    }
    if (hasAliasOrAnchor(pair.value)) throw new EditRefused(`'${key}' of ${where} is an anchor or alias shared with other entries; edit the file by hand`);
    if (value === undefined) {
      if (merged && mergedIn(key)) throw new EditRefused(`removing '${key}' from ${where} would let a merge key (<<) supply it; edit the file by hand`);
      splices.push(removePair(text, pair, columnOf(text, range(pair.key)[0])));
    } else if (isMap(pair.value) && !pair.value.flow && isPlainMap(value) && Object.keys(value).length > 0 && isPlainMap(before[key])) {
      splices.push(...mapSplices(text, doc, pair.value, before[key], value, `${where}.${key}`, () => false));
    } else {
      splices.push(replaceValue(text, pair, value));
    }
  }
  if (added.length > 0) {
    const last = map.items[map.items.length - 1]!;
    const at = nextLine(text, trimmedEnd(text, range(last.value ?? last.key)[1]));
    const indent = ' '.repeat(columnOf(text, range(map.items[0]!.key)[0]));
    const lines = added.flatMap((k) => pairLines(k, next[k])).map((l) => indent + l).join('\n');
    splices.push({ start: at, end: at, text: at === text.length && !text.endsWith('\n') ? `\n${lines}` : `${lines}\n` });
  }
  return splices;
}

/** The entity's fields if its own `key` were gone (to see what a merge key would supply). */
function entityFieldsWithout(doc: Document, name: string, key: string): Fields | null {
  const copy = doc.clone();
  const { map } = entityNode(copy, name);
  map.items = map.items.filter((p) => isMergeKey(p) || keyOf(p) !== key);
  return entityFields(copy, name);
}

function removePair(text: string, pair: Pair, column: number): Splice {
  const keyStart = range(pair.key)[0];
  const start = commentBlockStart(text, keyStart, column);
  const end = nextLine(text, trimmedEnd(text, range(pair.value ?? pair.key)[1]));
  return { start, end, text: '' };
}

function replaceValue(text: string, pair: Pair, value: unknown): Splice {
  const old = pair.value as Node | null;
  const keyEnd = range(pair.key)[1];
  const oldEnd = old?.range ? Math.max(keyEnd, trimmedEnd(text, old.range[1])) : keyEnd;
  const onKeyLine = !!old?.range && old.range[0] !== old.range[1] && (isScalar(old) || (isCollection(old) && old.flow === true));
  if (isSeq(old) && !old.flow && old.range && Array.isArray(value) && value.length > 0 && value.every((v) => v === null || typeof v !== 'object')) {
    // A list written one item a line stays that way.
    const indent = ' '.repeat(columnOf(text, old.range[0]));
    return { start: old.range[0], end: trimmedEnd(text, old.range[1]), text: value.map((v) => `- ${scalarText(v, null, false)}`).join(`\n${indent}`) };
  }
  const lines = pairLines('k', value);
  if (lines.length === 1) {
    const oneLine = lines[0]!.slice('k: '.length);
    // A changed scalar keeps its quoting style; anything else written on the key's line is replaced there.
    if (onKeyLine) return { start: old!.range![0], end: old!.range![1], text: isScalar(old) && (value === null || typeof value !== 'object') ? scalarText(value, old as Scalar, false) : oneLine };
    return { start: keyEnd, end: oldEnd, text: `: ${oneLine}` };
  }
  const indent = ' '.repeat(isCollection(old) && !old.flow && old.range ? columnOf(text, old.range[0]) : columnOf(text, range(pair.key)[0]) + 2);
  return { start: keyEnd, end: oldEnd, text: `:\n${lines.slice(1).map((l) => indent + l.slice(2)).join('\n')}` };
}

export function replaceEntity(text: string, name: string, next: Fields): string {
  const doc = parseForEdit(text);
  return applySplices(text, fieldSplices(text, doc, name, next));
}

export function addEntity(text: string, name: string, fields: Fields): string {
  const doc = parseForEdit(text);
  const map = entitiesMap(doc);
  if (findEntity(doc, name)) throw new EditRefused(`an entity named '${name}' already exists`);
  const body = entityLines(name, fields);
  if (map.items.length === 0) {
    // `entities: {}` or an empty `entities:` becomes a block map.
    const pair = (doc.contents as YAMLMap).items.find((p) => keyOf(p) === 'entities')!;
    const indent = ' '.repeat(columnOf(text, range(pair.key)[0]) + 2);
    const keyEnd = range(pair.key)[1];
    const end = map.range ? Math.max(keyEnd, trimmedEnd(text, map.range[1])) : keyEnd;
    return applySplices(text, [{ start: keyEnd, end, text: `:\n${body.map((l) => indent + l).join('\n')}` }]);
  }
  if (map.flow) throw new EditRefused('the entities map is written as { ... }; edit the file by hand');
  const last = map.items[map.items.length - 1]!;
  const lastKey = range(last.key)[0];
  const indent = ' '.repeat(columnOf(text, lastKey));
  // Follow the file's habit: a blank line between entities when the last one has one above it.
  const spaced = map.items.length > 1 && isBlankLine(text, lineStart(text, commentBlockStart(text, lastKey, indent.length) - 1));
  const at = nextLine(text, trimmedEnd(text, range(last.value ?? last.key)[1]));
  const lead = at === text.length && !text.endsWith('\n') ? '\n' : '';
  return applySplices(text, [{ start: at, end: at, text: `${lead}${spaced ? '\n' : ''}${body.map((l) => indent + l).join('\n')}\n` }]);
}

export function deleteEntity(text: string, name: string): string {
  const doc = parseForEdit(text);
  const pair = findEntity(doc, name);
  if (!pair) throw new EditRefused(`no entity named '${name}'`, 404);
  const used = usedAnchors(doc);
  const shared = anchorsIn(pair.value).filter((a) => used.has(a));
  if (shared.length > 0) throw new EditRefused(`entity '${name}' holds the anchor &${shared[0]} that other entries use; edit the file by hand`);
  const keyStart = range(pair.key)[0];
  const column = columnOf(text, keyStart);
  let { start, end } = removePair(text, pair, column);
  // Leave the blank lines as a careful person would: never two in a row, none before the map ends.
  const indentAt = (pos: number) => text.slice(pos).length - text.slice(pos).trimStart().length;
  const prev = start > 0 ? lineStart(text, start - 1) : -1;
  const prevBlank = prev >= 0 && isBlankLine(text, prev);
  const nextBlank = end < text.length && isBlankLine(text, end);
  const mapEnds = end >= text.length || (!nextBlank && indentAt(end) < column);
  if (prevBlank && (nextBlank || mapEnds)) start = prev;
  else if (!prevBlank && nextBlank && prev >= 0 && indentAt(prev) < column) end = nextLine(text, end);
  return applySplices(text, [{ start, end, text: '' }]);
}

/** Renames the key and every `dependencies` entry naming it. */
export function renameEntity(text: string, from: string, to: string): string {
  const doc = parseForEdit(text);
  const pair = findEntity(doc, from);
  if (!pair) throw new EditRefused(`no entity named '${from}'`, 404);
  if (findEntity(doc, to)) throw new EditRefused(`an entity named '${to}' already exists`);
  const splices = new Map<number, Splice>();
  const [ks, ke] = range(pair.key);
  splices.set(ks, { start: ks, end: ke, text: scalarText(to, isScalar(pair.key) ? pair.key : null, false) });
  for (const other of entitiesMap(doc).items) {
    let map = other.value;
    if (isAlias(map)) map = map.resolve(doc);
    if (!isMap(map)) continue;
    const sources = [map, ...map.items.filter(isMergeKey).flatMap((p) => [p.value].flat())].map((n) => (isAlias(n) ? n.resolve(doc) : n));
    for (const source of sources) {
      if (!isMap(source)) continue;
      let deps = source.items.find((p) => !isMergeKey(p) && keyOf(p) === 'dependencies')?.value;
      if (isAlias(deps)) deps = deps.resolve(doc);
      if (!isSeq(deps)) continue;
      for (const item of deps.items) {
        if (!isScalar(item) || String(item.value) !== from || !item.range) continue;
        splices.set(item.range[0], { start: item.range[0], end: item.range[1], text: scalarText(to, item, deps.flow === true) });
      }
    }
  }
  return applySplices(text, [...splices.values()]);
}
