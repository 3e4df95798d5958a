// entities.yaml -> Config: YAML -> ${VAR} -> JSON Schema -> references -> defaults.
// Every problem found on the way is reported, each pointing at its place in the file.
import { isAlias, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, Scalar } from 'yaml';
import type { Config } from '../types.ts';
import { buildConfig } from './build.ts';
import type { RawConfig, WrittenEntity } from './build.ts';
import { coerceScalar, substitute } from './env.ts';
import { ConfigError, sortProblems } from './errors.ts';
import type { ConfigIssue, ConfigProblem } from './errors.ts';
import { checkDependencies } from './graph.ts';
import { keyPositions, locate, pathToPointer, pointerToPath, positionOf } from './positions.ts';
import type { Path } from './positions.ts';
import { checkSchema } from './schema.ts';
import type { SchemaError } from './schema.ts';
import { checkSemantics } from './semantic.ts';
import { checkAuth } from '../auth/rules.ts';
import { checkPublishing } from './publishing.ts';
import { checkMaintenance } from '../maintenance/config.ts';
import { checkProbes } from '../probes/config.ts';
import { firstAliasOffset, flowHint, syntaxProblems } from './syntax.ts';
import { fastRead } from './fast-read.ts';
import { configMaxBytes, MAX_NESTING, nestingTooDeep, readBounded, tooLargeMessage } from './limits.ts';

export { configFingerprint } from './build.ts';
export { ConfigError, formatProblem } from './errors.ts';
export type { ConfigProblem } from './errors.ts';

/**
 * How often one anchor may be expanded (weighted by the aliases inside it). Generous for
 * `<<: *defaults` on hundreds of entities; a "billion laughs" file hits it after a few levels.
 */
export const MAX_ALIAS_COUNT = 500;

type Parsed = { config: Config } | { errors: ConfigProblem[] };

/**
 * Reads entities.yaml text into a Config, or every problem in it with its line and column.
 * A valid file is read the quick way (fast-read.ts, no positions kept); anything else, or anything
 * the quick read is not sure of, is read again in full with positions (`parseWithPositions`), so
 * both give the same Config for a valid file and every problem comes with its place.
 */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): Parsed {
  const refused = outOfBounds(text, file, env);
  if (refused) return refused;
  return quickParse(text, file, env) ?? parseWithPositions(text, file, env);
}

/** Bounds, before a parser spends time and memory on a file no one meant to write. */
function outOfBounds(text: string, file: string, env: NodeJS.ProcessEnv): { errors: ConfigProblem[] } | null {
  const max = configMaxBytes(file, env);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > max) return { errors: [{ file, line: 0, col: 0, message: tooLargeMessage(bytes, max, true) }] };
  const deep = nestingTooDeep(text, MAX_NESTING);
  if (deep !== null) {
    const before = text.slice(0, deep);
    const line = before.split('\n').length;
    return { errors: [{ file, line, col: deep - before.lastIndexOf('\n'), message: `maps and lists nest more than ${MAX_NESTING} levels deep here; refusing the file` }] };
  }
  return null;
}

/**
 * The configuration read without positions, when the file is valid and the quick read is sure of
 * it; null otherwise (then the full read finds and places the problems).
 */
export function quickParse(text: string, file: string, env: NodeJS.ProcessEnv): { config: Config } | null {
  const reading = fastRead(text);
  if (!reading) return null;
  const { data } = reading;
  // Probes get their entities' fields as written: copied before the replacing below.
  const written = writtenEntities(text, () => data);
  // ${VAR}: each value once (an anchor's map is one object wherever it is used), keys never.
  const whole = new WeakMap<object, Set<string>>();
  if (text.includes('$')) {
    const seen = new Set<object>();
    const pending: unknown[] = [data];
    while (pending.length > 0) {
      const node = pending.pop();
      if (typeof node !== 'object' || node === null || seen.has(node)) continue;
      seen.add(node);
      const container = node as Record<string, unknown>;
      for (const key of Object.keys(container)) {
        const value = container[key];
        if (typeof value !== 'string') { pending.push(value); continue; }
        const s = substitute(value, env);
        if (s.missing.length > 0 || s.invalid.length > 0) return null;
        if (!s.changed) continue;
        container[key] = s.value;
        if (s.whole) (whole.get(container) ?? whole.set(container, new Set()).get(container)!).add(key);
      }
    }
  }
  const wholeAt = (path: Path): boolean => {
    let container: unknown = data;
    for (const segment of path.slice(0, -1)) container = typeof container === 'object' && container !== null ? (container as Record<string, unknown>)[String(segment)] : undefined;
    return typeof container === 'object' && container !== null && !!whole.get(container)?.has(String(path[path.length - 1]));
  };
  const names = reading.entities.map((e) => e.name);
  const checked = checkData({ data, names, wholeValue: wholeAt, wholeWritten: wholeAt, failed: () => false });
  if (!checked.valid || checked.issues.length > 0) return null;
  const lines = new Map(reading.entities.map((e) => [e.name, e.line]));
  return { config: buildConfig(data as RawConfig, file, names, (name) => lines.get(name)!, written) };
}

/** What the checks need to know of a file read one way or the other. */
interface Reading {
  /** Plain data, `${VAR}` replaced. Whole `${VAR}` values the schema wants as numbers or booleans are converted in place. */
  readonly data: unknown;
  /** Entity names in file order. */
  readonly names: readonly string[];
  /** Whether the value at `path`, through an alias, was written as exactly one `${VAR}`. */
  wholeValue(path: Path): boolean;
  /** The same, for the value written at `path` itself. */
  wholeWritten(path: Path): boolean;
  /** Whether the value at `path` had a `${VAR}` that could not be replaced (already reported). */
  failed(path: Path): boolean;
}

/** Every check after YAML itself, shared by both reads: schema, references and cycles, semantics. */
function checkData(reading: Reading): { valid: boolean; issues: ConfigIssue[] } {
  const { data, names } = reading;
  // Schema, coercing whole `${VAR}` values into the numbers and booleans fields ask for.
  const schemaErrors = validateWithCoercion(data, reading.wholeValue);
  const issues: ConfigIssue[] = [];
  const schemaPointers = new Set<string>();
  for (const e of schemaErrors) {
    if (!e.issue) continue;
    schemaPointers.add(pathToPointer(e.issue.path));
    // An unset variable was already reported at this value; its emptiness is not news.
    if (reading.failed(e.issue.path)) continue;
    issues.push(e.issue);
  }

  // Beyond the schema: references and cycles, hosts and URLs that must really parse.
  issues.push(...checkDependencies(new Map(names.map((n) => [n, dependenciesOf(data, n)]))));
  const reported = (path: Path): boolean => {
    const pointer = pathToPointer(path);
    return [...schemaPointers].some((p) => p === pointer || p.startsWith(`${pointer}/`));
  };
  issues.push(...checkSemantics(data, reported));
  issues.push(...checkAuth(data, reading.wholeWritten));
  issues.push(...checkPublishing(data, reported));
  issues.push(...checkMaintenance(data, reported));
  issues.push(...checkProbes(data, reading.wholeWritten, reported));
  return { valid: schemaErrors.length === 0, issues };
}

/** The full read: the `yaml` library's document with positions; every problem placed. */
export function parseWithPositions(text: string, file: string, env: NodeJS.ProcessEnv): Parsed {
  const refused = outOfBounds(text, file, env);
  if (refused) return refused;
  const lines = new LineCounter();
  // Duplicate keys are found below in one pass; the library's own check compares every pair of keys.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: false });
  const at = (offset: number, message: string, pointer?: string): ConfigProblem => ({ file, ...lines.linePos(offset), message, ...(pointer === undefined ? {} : { pointer }) });

  // 1. YAML itself. Past a syntax error the tree is guesswork, so stop here. The parser often
  // reports one slip several times over; the first report on each line is the useful one.
  const yamlProblems = sortProblems(syntaxProblems(doc).map((r) => at(r.offset, r.message)))
    .filter((p, i, all) => i === 0 || all[i - 1]!.line !== p.line)
    .map((p) => ({ ...p, message: p.message + flowHint(text, p.line) }));
  if (yamlProblems.length > 0) return { errors: yamlProblems };

  // 2. ${VAR} in string values (never in keys). Probes get their entities' fields as written.
  const written = writtenEntities(text, () => doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  const problems: ConfigProblem[] = [];
  const wholeReferences = new WeakSet<Node>();
  const failedScalars = new WeakSet<Node>();
  // Every reference and every escape starts with `$`: a file without one has nothing to replace.
  if (text.includes('$')) visit(doc, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const s = substitute(node.value, env);
      if (!s.changed && s.invalid.length === 0) return;
      const offset = node.range?.[0] ?? 0;
      const pointer = visitPointer(path, node);
      for (const name of s.missing) problems.push(at(offset, `environment variable ${name} is not set`, pointer));
      for (const bad of s.invalid) problems.push(at(offset, `invalid variable reference '${bad}': write \${NAME} or \${NAME:-default} (and $\${ for a literal \${)`, pointer));
      if (s.missing.length > 0 || s.invalid.length > 0) failedScalars.add(node);
      if (s.whole) wholeReferences.add(node);
      (node as Scalar).value = s.value;
    },
  });

  // 3. To plain data, with alias expansion bounded.
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof RangeError) return { errors: [{ file, line: 0, col: 0, message: `maps, lists and aliases nest too deeply to read (${err.message})` }] };
    if (!(err instanceof ReferenceError)) throw err;
    const offset = firstAliasOffset(doc);
    return { errors: [at(offset, `YAML aliases expand too much (limit ${MAX_ALIAS_COUNT}); refusing what looks like an alias bomb`)] };
  }

  // 4-5. Schema, references, semantics.
  const names = entityNames(doc, lines, data);
  const { issues } = checkData({
    data,
    names,
    wholeValue(path) {
      const { value } = locate(doc, path);
      const node = isAlias(value) ? value.resolve(doc) : value;
      return !!node && isScalar(node) && wholeReferences.has(node);
    },
    wholeWritten(path) {
      const { value } = locate(doc, path);
      return !!value && wholeReferences.has(value);
    },
    failed(path) {
      const { value } = locate(doc, path);
      return !!value && failedScalars.has(value);
    },
  });

  for (const issue of issues) {
    const { line, col } = positionOf(doc, lines, issue.path, issue.at);
    problems.push({ file, line, col, message: issue.message, pointer: pathToPointer(issue.path) });
  }
  if (problems.length > 0) return { errors: sortProblems(problems) };

  const keys = keyPositions(doc, lines, ['entities']);
  const lineOf = (name: string): number => (keys.get(name) ?? positionOf(doc, lines, ['entities', name], 'key')).line;
  return { config: buildConfig(data as RawConfig, file, names, lineOf, written) };
}

/**
 * Copies, before `${VAR}` substitution, of the entities that name `locations` (probes expand the
 * references themselves). Nothing is copied for a file without any. An alias bomb is refused
 * later, so a read that fails here is ignored.
 */
function writtenEntities(text: string, read: () => unknown): WrittenEntity {
  if (!text.includes('locations')) return () => undefined;
  const copies = new Map<string, Record<string, unknown>>();
  try {
    const entities = (read() as { entities?: unknown } | null)?.entities;
    if (typeof entities === 'object' && entities !== null && !Array.isArray(entities)) {
      for (const [name, entity] of Object.entries(entities)) {
        if (typeof entity === 'object' && entity !== null && 'locations' in entity) copies.set(name, structuredClone(entity) as Record<string, unknown>);
      }
    }
  } catch {
    return () => undefined;
  }
  return (name) => copies.get(name);
}

/** Reads (within the size limit) and parses `file`; throws ConfigError (one problem per line in its message). */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const text = await readBounded(file, configMaxBytes(file, env));
  const result = parseConfig(text, file, env);
  if ('errors' in result) throw new ConfigError(result.errors);
  return result.config;
}

/** Validates; where a type error sits on a whole `${VAR}` value that reads as the wanted type, converts and retries. */
function validateWithCoercion(data: unknown, whole: (path: Path) => boolean): SchemaError[] {
  for (let round = 0; ; round++) {
    const errors = checkSchema(data);
    let changed = false;
    for (const e of errors) {
      if (e.keyword !== 'type' || round > 3) continue;
      const path = pointerToPath(e.pointer);
      const current = getAt(data, path);
      if (typeof current !== 'string' || !whole(path)) continue;
      const coerced = coerceScalar(current, e.want);
      if (coerced === undefined) continue;
      setAt(data, path, coerced);
      changed = true;
    }
    if (!changed) return errors;
  }
}

function getAt(data: unknown, path: readonly string[]): unknown {
  let target: unknown = data;
  for (const segment of path) {
    if (typeof target !== 'object' || target === null || !Object.hasOwn(target, segment)) return undefined;
    target = (target as Record<string, unknown>)[segment];
  }
  return target;
}

function setAt(data: unknown, path: readonly string[], value: unknown): void {
  let target = data as Record<string, unknown>;
  for (const segment of path.slice(0, -1)) target = target[segment] as Record<string, unknown>;
  target[path[path.length - 1]!] = value;
}

/** Entity names in file order, read from the YAML tree (a JS object would put `42` before `a`). */
function entityNames(doc: Document, lines: LineCounter, data: unknown): string[] {
  const entities = (data as { entities?: unknown } | null)?.entities;
  if (typeof entities !== 'object' || entities === null || Array.isArray(entities)) return [];
  const keys = keyPositions(doc, lines, ['entities']);
  const place = new Map(Object.keys(entities).map((n) => [n, keys.get(n) ?? positionOf(doc, lines, ['entities', n], 'key')]));
  return [...place.keys()].sort((a, b) => place.get(a)!.line - place.get(b)!.line || place.get(a)!.col - place.get(b)!.col);
}

/** The JSON pointer of a node reached by `visit`, from its ancestors. */
function visitPointer(path: readonly unknown[], node: unknown): string {
  const chain = [...path, node];
  const segments: string[] = [];
  chain.forEach((c, i) => {
    if (isPair(c)) segments.push(String(isScalar(c.key) ? c.key.value : c.key));
    else if (isSeq(c)) segments.push(String(c.items.indexOf(chain[i + 1] as never)));
  });
  return pathToPointer(segments);
}

function dependenciesOf(data: unknown, name: string): string[] {
  const deps = (data as { entities: Record<string, { dependencies?: unknown } | null> }).entities[name]?.dependencies;
  return Array.isArray(deps) ? deps.filter((d): d is string => typeof d === 'string') : [];
}
