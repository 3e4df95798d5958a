// Problems found in a configuration file, each pointing at a place in it.

export interface ConfigProblem {
  /** The path as the user gave it. */
  readonly file: string;
  /** 1-based; 0 when the problem concerns the whole file (it cannot be read). */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  readonly message: string;
  /** JSON pointer of the value concerned (`/entities/db/interval`), when one is known. */
  readonly pointer?: string;
}

/**
 * `FILE:LINE:COL: message`, the form editors and terminals turn into links; `FILE: message` for
 * a problem with the file as a whole (line 0), such as one that cannot be read.
 */
export function formatProblem(p: ConfigProblem): string {
  return p.line === 0 ? `${p.file}: ${p.message}` : `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** By position, then message; exact duplicates (one node reached twice) are dropped. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort((a, b) => a.line - b.line || a.col - b.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0))
    .filter((p) => {
      const key = formatProblem(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** Thrown by `loadConfig`; the message lists every problem, one per line. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A problem before it has a position: where it is (a JSON path into the file) and what. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  /** Point at the key naming the value (unknown or missing properties) or at the value. */
  readonly at: 'key' | 'value';
  readonly message: string;
}
