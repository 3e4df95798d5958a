// `${VAR}` substitution in string values. Pure: the environment is a parameter.
//
//   ${NAME}            the variable's value; unset is an error
//   ${NAME:-fallback}  the value, or `fallback` when the variable is unset or empty
//   $${                a literal `${`
//
// Anything else starting with `${` is an error rather than left alone: a typo such as
// `${TOKEN` would otherwise reach a server as a literal and fail far from its cause.

export interface Substitution {
  readonly value: string;
  /** Variables referenced without a default that are not set. */
  readonly missing: readonly string[];
  /** Malformed references, as written. */
  readonly invalid: readonly string[];
  /** The text was exactly one reference (so it may stand for a number or boolean). */
  readonly whole: boolean;
  /** The text contained at least one reference. */
  readonly changed: boolean;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]{0,40}\}?/g;

export function substitute(text: string, env: NodeJS.ProcessEnv): Substitution {
  if (!text.includes('${')) return { value: text, missing: [], invalid: [], whole: false, changed: false };
  const missing: string[] = [];
  const invalid: string[] = [];
  let references = 0;
  const value = text.replace(REFERENCE, (match: string, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      invalid.push(match);
      return match;
    }
    references += 1;
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      missing.push(name);
      return '';
    }
    return set;
  });
  const whole = references === 1 && REFERENCE_WHOLE.test(text);
  return { value, missing, invalid, whole, changed: references > 0 || value !== text };
}

const REFERENCE_WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/** Turns a whole-reference value into the number or boolean a field needs; undefined when it is neither. */
export function coerceScalar(value: string, want: readonly string[]): number | boolean | undefined {
  const text = value.trim();
  if ((want.includes('number') || want.includes('integer')) && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n) && (want.includes('number') || Number.isInteger(n))) return n;
  }
  if (want.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return undefined;
}
