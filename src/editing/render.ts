// YAML text for values pulsemap writes into entities.yaml, in the style people write by hand:
// lists of plain values and small maps in flow style (`[a, b]`, `{ runs_in: docker }`),
// everything else in block style. Scalars are quoted by the yaml library, only where needed.
import { Document, isScalar, Scalar } from 'yaml';

const SMALL_MAP = 3;

type Plain = Record<string, unknown>;
const isMapValue = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalarValue = (v: unknown): boolean => v === null || typeof v !== 'object';

/**
 * A scalar to put where `old` was written, in its quoting style when that can hold the value.
 * Inside `[ ]` or `{ }` text with flow indicators is double-quoted.
 */
export function scalarText(value: unknown, old: Scalar | null, inFlow: boolean): string {
  const doc = new Document(value);
  const node = doc.contents;
  if (isScalar(node) && typeof value === 'string') {
    // Block scalars (`|`) would depend on the indentation around them; quoted text does not.
    if (value.includes('\n')) node.type = Scalar.QUOTE_DOUBLE;
    else if (old && typeof old.value === 'string' && old.type) node.type = old.type;
  }
  const out = doc.toString({ lineWidth: 0 }).replace(/\n$/, '');
  if (inFlow && typeof value === 'string' && /[,[\]{}#]/.test(out) && !/^["']/.test(out)) return JSON.stringify(value);
  return out;
}

function flowable(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isScalarValue);
  return isMapValue(value) && Object.keys(value).length <= SMALL_MAP && Object.values(value).every(isScalarValue);
}

/** `value` on one line: a scalar, `[a, b]` or `{ k: v }`. */
export function flowText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  if (isMapValue(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${scalarText(k, null, true)}: ${flowText(v)}`).join(', ')} }`;
  }
  return scalarText(value, null, true);
}

/** Lines of `value` in block style, unindented (a scalar or a flowable value is one line). */
export function blockLines(value: unknown): string[] {
  if (isScalarValue(value) || flowable(value) || (Array.isArray(value) && value.length === 0)) return [isScalarValue(value) ? scalarText(value, null, false) : flowText(value)];
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const lines = blockLines(item);
      return [`- ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l}`)];
    });
  }
  const entries = Object.entries(value as Plain).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return ['{}'];
  return entries.flatMap(([k, v]) => pairLines(k, v));
}

/** `key: value` lines for a new pair. */
export function pairLines(key: string, value: unknown): string[] {
  const k = scalarText(key, null, false);
  const lines = blockLines(value);
  const inline = isScalarValue(value) || flowable(value) || lines.length === 1 && !isMapValue(value) && !Array.isArray(value);
  if (inline || (lines.length === 1 && /^[[{]/.test(lines[0]!))) return [`${k}: ${lines[0]}`];
  return [`${k}:`, ...lines.map((l) => `  ${l}`)];
}

/** A new entity: always a block map, as entities are usually written. */
export function entityLines(name: string, fields: Plain): string[] {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return [`${scalarText(name, null, false)}: {}`];
  return [`${scalarText(name, null, false)}:`, ...entries.flatMap(([k, v]) => pairLines(k, v)).map((l) => `  ${l}`)];
}
