// Bounds on what a configuration file may be, checked before the YAML parser sees it: the parser
// needs seconds and hundreds of megabytes for a file of tens of megabytes, and recurses once per
// nesting level, so a deep file would end in "Maximum call stack size exceeded" after seconds.
import { open } from 'node:fs/promises';
import { ConfigError } from './errors.ts';

/**
 * Default largest entities.yaml. 20,000 entities with groups and dependencies take about 2 MB;
 * parsing YAML costs some 90 times its size in memory (a 20 MB file: 1.8 GB), so a file far
 * beyond any real estate is refused before it is parsed and cannot take the service down.
 */
export const DEFAULT_CONFIG_MAX_BYTES = 8 * 1024 * 1024;
/** Deepest nesting of maps and lists; entities.yaml itself needs about 6. */
export const MAX_NESTING = 64;

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/**
 * The size limit from `PULSEMAP_CONFIG_MAX_BYTES` (bytes, or with a K, M or G suffix, binary).
 * A value that does not read as a size is an error, not silently the default.
 */
export function configMaxBytes(file: string, env: NodeJS.ProcessEnv): number {
  const raw = env.PULSEMAP_CONFIG_MAX_BYTES?.trim();
  if (raw === undefined || raw === '') return DEFAULT_CONFIG_MAX_BYTES;
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(raw);
  const bytes = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new ConfigError([{ file, line: 0, col: 0, message: `PULSEMAP_CONFIG_MAX_BYTES must be a size such as 4194304 or 8M, not '${raw}'` }]);
  }
  return bytes;
}

export function tooLargeMessage(bytes: number, max: number, exact: boolean): string {
  const size = exact ? formatBytes(bytes) : `more than ${formatBytes(max)}`;
  return `the file is ${size}, over the limit of ${formatBytes(max)}; `
    + 'split it up or raise PULSEMAP_CONFIG_MAX_BYTES';
}

/** Rounded up to a tenth: a file just over the limit never reads as the limit itself. */
function formatBytes(n: number): string {
  const tenths = (unit: number) => (Math.ceil(n / (unit / 10)) / 10).toFixed(1).replace(/\.0$/, '');
  if (n >= 1024 * 1024) return `${tenths(1024 * 1024)} MB`;
  if (n >= 1024) return `${tenths(1024)} KB`;
  return `${n} bytes`;
}

/**
 * Reads the file as UTF-8, never more than `max` + 1 bytes of it: a file over the limit is
 * refused without being read whole (its size comes from stat), so it costs no memory.
 */
export async function readBounded(file: string, max: number): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new ConfigError([{ file, line: 0, col: 0, message: `cannot read: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  try {
    const { size } = await handle.stat();
    if (size > max) throw new ConfigError([{ file, line: 0, col: 0, message: tooLargeMessage(size, max, true) }]);
    // The file can grow between stat and read: read one byte past the limit to notice.
    const buffer = Buffer.alloc(Math.min(max + 1, size + 64 * 1024));
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > max) throw new ConfigError([{ file, line: 0, col: 0, message: tooLargeMessage(length, max, false) }]);
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

/**
 * Where maps and lists first nest deeper than `limit`, found by one pass over the text; null
 * when they never do. Block nesting is counted by indentation and by `- ` items opened on one
 * line, flow nesting by brackets outside quotes and comments. It reads YAML coarsely (a list
 * written at its key's indentation is not counted), which is enough to stop pathological files
 * long before the parser's recursion would.
 */
export function nestingTooDeep(text: string, limit: number): number | null {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let scalarIndent = -1; // inside a block scalar (| or >): lines indented deeper than this
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    if (scalarIndent >= 0) {
      if (content === '' || indent > scalarIndent) continue;
      scalarIndent = -1;
    }
    let i = indent;
    let depth = indents.length;
    if (quote === null && flow === 0) {
      if (content === '' || content.startsWith('#')) continue;
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
      depth = indents.length;
      // `- - - x`: each item marker opens one more level on the same line.
      while (/^[-?](\s|$)/.test(line.slice(i))) {
        depth += 1;
        i += 1;
        while (line[i] === ' ' || line[i] === '\t') i += 1;
      }
      if (depth > limit) return start + indent;
      if (/(^|[\s:-])[|>][-+0-9]*\s*(#.*)?$/.test(line)) scalarIndent = indent;
    }
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== null) {
        if (c === '\\' && quote === '"') i += 1;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i += 1;
          else quote = null;
        }
        continue;
      }
      const prev = i === 0 ? ' ' : line[i - 1]!;
      // Brackets and quotes open something only where a value may begin, not inside `a[1]`.
      const tokenStart = flow > 0 ? /[\s[{,:]/.test(prev) : /\s/.test(prev);
      if (c === '#' && /\s/.test(prev)) break;
      if ((c === '"' || c === "'") && tokenStart) quote = c;
      else if ((c === '[' || c === '{') && (flow > 0 || tokenStart)) {
        flow += 1;
        if (depth + flow > limit) return start + i;
      } else if ((c === ']' || c === '}') && flow > 0) flow -= 1;
    }
  }
  return null;
}
