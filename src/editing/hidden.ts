// Values as written in entities.yaml are shown to editors and admins, except a secret written as
// plain text (a password in a URL, a token without ${VAR}): that reads `<hidden>`. A form sends
// `<hidden>` back unchanged, and it keeps the value written at that place.
import { EditRefused, isPlainMap } from './entity-edit.ts';
import { HIDDEN } from './redact.ts';

/** Every string in `value` passed through `fn` with its path, the shape kept. */
export function mapStrings(value: unknown, fn: (s: string, path: string[]) => unknown, path: string[] = []): unknown {
  if (typeof value === 'string') return fn(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, fn, [...path, String(i)]));
  if (isPlainMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn, [...path, k])]));
  return value;
}

export function valueAtPath(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, k) => (isPlainMap(v) || Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined), value);
}

export function holdsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some((s) => s !== '' && text.includes(s));
}

/** `value` with every string that holds one of `secrets` replaced by `<hidden>`. */
export function hideSecrets<T>(value: T, secrets: readonly string[]): T {
  return mapStrings(value, (s) => (holdsSecret(s, secrets) ? HIDDEN : s)) as T;
}

/** `next` with each `<hidden>` replaced by the value written at that place in `before`. */
export function keepHidden<T>(next: T, before: unknown, where: string): T {
  return mapStrings(next, (s, path) => {
    if (s !== HIDDEN) return s;
    const old = valueAtPath(before, path);
    const pointer = `${where}/${path.join('/')}`;
    if (typeof old !== 'string') throw new EditRefused(`${pointer}: ${HIDDEN} stands for a value already written there, and there is none`, 422, pointer);
    return old;
  }) as T;
}
