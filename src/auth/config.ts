// The `auth:` section of entities.yaml (schema-valid) -> AuthConfig.
import type { AuthConfig, Role } from './types.ts';

export interface RawAuth {
  users?: { name: string; role: Role; password_hash: string }[];
  tokens?: { name: string; role: Role; token: string }[];
  trusted_header?: { name?: string; from: string[]; role?: Role };
  proxies?: string[];
  public_read?: boolean;
  open?: string[];
  session_hours?: number;
}

export function buildAuth(raw: RawAuth = {}, apiToken: string | null = null): AuthConfig {
  const header = raw.trusted_header;
  return {
    users: (raw.users ?? []).map((u) => ({ name: u.name, role: u.role, password_hash: u.password_hash })),
    tokens: (raw.tokens ?? []).map((t) => ({ name: t.name, role: t.role, token: t.token })),
    trusted_header: header ? { name: (header.name ?? 'X-Forwarded-User').toLowerCase(), from: [...header.from], role: header.role ?? 'viewer' } : null,
    proxies: [...(raw.proxies ?? []), ...(header?.from ?? [])],
    public_read: raw.public_read ?? false,
    open: [...(raw.open ?? ['/health', '/metrics'])],
    session_hours: raw.session_hours ?? 12,
    api_token: apiToken,
  };
}

/** Secrets of the auth section, for the scrubber: tokens and password hashes. */
export function authSecrets(auth: AuthConfig): string[] {
  return [...auth.tokens.map((t) => t.token), ...auth.users.map((u) => u.password_hash)];
}
