// Checks on `auth:` that the schema cannot express. Runs on raw data that may have failed the
// schema, so every access is guarded.
import { isIP } from 'node:net';
import type { ConfigIssue } from '../config/errors.ts';

type Path = (string | number)[];

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

/** An address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrRange(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  return n >= 0 && n <= (family === 4 ? 32 : 128);
}

/** `isReference(path)`: the value at `path` was written as one `${VAR}` reference. */
export function checkAuth(data: unknown, isReference: (path: Path) => boolean): ConfigIssue[] {
  const auth = (data as { auth?: unknown } | null)?.auth;
  if (typeof auth !== 'object' || auth === null) return [];
  const { users, tokens, trusted_header: header } = auth as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  for (const [field, entries] of [['users', list(users)], ['tokens', list(tokens)]] as const) {
    const seen = new Set<unknown>();
    entries.forEach((entry, i) => {
      if (typeof entry.name === 'string' && seen.has(entry.name)) {
        issues.push({ path: ['auth', field, i, 'name'], at: 'value', message: `/auth/${field}/${i}/name: '${entry.name}' is listed twice` });
      }
      seen.add(entry.name);
    });
  }
  list(tokens).forEach((entry, i) => {
    const path = ['auth', 'tokens', i, 'token'];
    if (typeof entry.token === 'string' && !isReference(path)) {
      issues.push({ path, at: 'value', message: '/auth/tokens/' + i + '/token must come from the environment: write ${NAME}, not the token itself' });
    }
  });
  const addresses: [Path, unknown][] = [
    [['auth', 'proxies'], (auth as { proxies?: unknown }).proxies],
    [['auth', 'trusted_header', 'from'], (header as { from?: unknown } | null)?.from],
  ];
  for (const [at, values] of addresses) {
    if (!Array.isArray(values)) continue;
    values.forEach((value, i) => {
      if (typeof value === 'string' && !isAddressOrRange(value)) {
        issues.push({ path: [...at, i], at: 'value', message: `/${at.join('/')}/${i} must be an IP address or a CIDR range such as 10.0.0.0/8` });
      }
    });
  }
  return issues;
}
