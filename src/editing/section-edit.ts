// Changes to the settings parts of entities.yaml (auth.users, notify, groups), worked out on
// the parsed document and applied as text splices like entity edits: only the changed bytes
// move, comments and everything else stay as written.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, YAMLMap } from 'yaml';
import { EditRefused, hasAliasOrAnchor, isPlainMap, mapSplices, parseForEdit, range } from './entity-edit.ts';
import type { Fields } from './entity-edit.ts';
import { flowText } from './render.ts';
import { applySplices, commentBlockStart, columnOf, lineStart, nextLine, trimmedEnd } from './text.ts';

export type Path = readonly string[];

/** The value at `path` as written (`${VAR}` kept, merge keys applied), or undefined. */
export function writtenAt(doc: Document, path: Path): unknown {
  let value: unknown = doc.toJS({ maxAliasCount: 500 });
  for (const key of path) value = isPlainMap(value) ? value[key] : undefined;
  return value;
}

function nodeAt(doc: Document, path: Path): unknown {
  return path.length === 0 ? doc.contents : doc.getIn(path, true);
}

/** `value` with `rest` set to `leaf` (undefined removes it), maps made where missing. */
function setIn(value: unknown, rest: Path, leaf: unknown): unknown {
  if (rest.length === 0) return leaf;
  const out: Fields = isPlainMap(value) ? { ...value } : {};
  const [key, ...more] = rest as [string, ...string[]];
  const next = setIn(out[key], more, leaf);
  if (next === undefined) delete out[key];
  else out[key] = next;
  return out;
}

/**
 * Sets the value at `path` (undefined removes it), writing missing maps on the way. A map left
 * empty by a removal is written as `{}`, never as a bare key.
 */
export function setAt(text: string, path: Path, value: unknown): string {
  const doc = parseForEdit(text);
  const target = nodeAt(doc, path);
  if (isMap(target) && isPlainMap(value) && Object.keys(value).length > 0) {
    // A map written already (block or { }) changes key by key, in its own style.
    const before = (writtenAt(doc, path) ?? {}) as Fields;
    return applySplices(text, mapSplices(text, doc, target, before, value, path.join('.'), () => false));
  }
  // The deepest block map on the way to `path` that is already written takes the change.
  let depth = path.length - 1;
  while (depth > 0 && !isMap(nodeAt(doc, path.slice(0, depth)))) depth -= 1;
  const map = nodeAt(doc, path.slice(0, depth));
  if (!isMap(map)) throw new EditRefused('entities.yaml is not a map of settings; edit the file by hand');
  const before = (writtenAt(doc, path.slice(0, depth)) ?? {}) as Fields;
  let next = setIn(before, path.slice(depth), value) as Fields;
  if (value === undefined && depth === path.length - 1 && depth > 0 && Object.keys(next).length === 0) {
    return setAt(text, path.slice(0, depth), {});
  }
  if (value === undefined && depth < path.length - 1) next = before; // nothing written there to remove
  const where = depth === 0 ? 'the file' : path.slice(0, depth).join('.');
  return applySplices(text, mapSplices(text, doc, map as YAMLMap, before, next, where, () => false));
}

/** The block list at `path` and where its items' dashes stand, or null when it is not one. */
function blockList(doc: Document, text: string, path: Path) {
  const seq = nodeAt(doc, path);
  if (!isSeq(seq) || seq.flow || seq.items.length === 0) return null;
  if (hasAliasOrAnchor(seq)) throw new EditRefused(`${path.join('.')} uses anchors or aliases; edit the file by hand`);
  const first = range(seq.items[0]);
  const dash = text.lastIndexOf('-', first[0]);
  if (dash < lineStart(text, first[0])) throw new EditRefused(`cannot tell how ${path.join('.')} is written; edit the file by hand`);
  return { seq, column: columnOf(text, dash) };
}

/** Appends `item` to the list at `path`, one `- { ... }` line like the items before it. */
export function appendItem(text: string, path: Path, item: Fields): string {
  const doc = parseForEdit(text);
  const list = blockList(doc, text, path);
  if (list === null) {
    const current = writtenAt(doc, path);
    return setAt(text, path, [...(Array.isArray(current) ? current : []), item]);
  }
  const last = list.seq.items[list.seq.items.length - 1];
  const at = nextLine(text, trimmedEnd(text, range(last)[1]));
  const line = `${' '.repeat(list.column)}- ${flowText(item)}`;
  return applySplices(text, [{ start: at, end: at, text: at === text.length && !text.endsWith('\n') ? `\n${line}` : `${line}\n` }]);
}

/** Index of the list item at `path` whose `key` is `value`, or -1. */
export function itemIndex(doc: Document, path: Path, key: string, value: string): number {
  const current = writtenAt(doc, path);
  return Array.isArray(current) ? current.findIndex((item) => isPlainMap(item) && item[key] === value) : -1;
}

/** Changes fields of the map item `index` of the list at `path` in place. */
export function updateItem(text: string, path: Path, index: number, next: Fields): string {
  const doc = parseForEdit(text);
  const seq = nodeAt(doc, path);
  const item = isSeq(seq) ? seq.items[index] : undefined;
  if (!isMap(item)) throw new EditRefused(`item ${index} of ${path.join('.')} is not written as a map; edit the file by hand`);
  if (hasAliasOrAnchor(item)) throw new EditRefused(`item ${index} of ${path.join('.')} uses anchors or aliases; edit the file by hand`);
  const before = (writtenAt(doc, path) as unknown[])[index] as Fields;
  return applySplices(text, mapSplices(text, doc, item, before, next, `${path.join('.')}[${index}]`, () => false));
}

/** Removes item `index` of the list at `path` with the comment lines above it; the last one leaves `[]`. */
export function removeItem(text: string, path: Path, index: number): string {
  const doc = parseForEdit(text);
  const current = writtenAt(doc, path) as unknown[];
  const list = blockList(doc, text, path);
  if (list === null || current.length === 1) return setAt(text, path, current.filter((_, i) => i !== index));
  const item = list.seq.items[index];
  if (isScalar(item) || item === undefined) throw new EditRefused(`cannot remove item ${index} of ${path.join('.')}; edit the file by hand`);
  const [start, end] = range(item);
  return applySplices(text, [{ start: commentBlockStart(text, start, list.column), end: nextLine(text, trimmedEnd(text, end)), text: '' }]);
}
