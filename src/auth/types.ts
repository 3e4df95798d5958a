// Who may do what: roles, the `auth:` configuration, and the caller a request was made by.

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  readonly name: string;
  readonly role: Role;
  /** `scrypt$N$r$p$salt$hash`; never shown anywhere. */
  readonly password_hash: string;
}

export interface AuthToken {
  readonly name: string;
  readonly role: Role;
  /** The token itself (from `${VAR}`); a secret. */
  readonly token: string;
}

export interface TrustedHeader {
  /** Lower-cased header name. */
  readonly name: string;
  /** Proxy addresses and CIDR ranges the header is believed from. */
  readonly from: readonly string[];
  /** Role of a proxy user not listed under `users`. */
  readonly role: Role;
}

export interface AuthConfig {
  readonly users: readonly AuthUser[];
  readonly tokens: readonly AuthToken[];
  readonly trusted_header: TrustedHeader | null;
  /** Reverse proxies whose X-Forwarded-For and -Proto are believed (trusted_header.from included). */
  readonly proxies: readonly string[];
  readonly public_read: boolean;
  /** Paths anyone may read even with login on. */
  readonly open: readonly string[];
  readonly session_hours: number;
  /** The legacy `api_token`: an admin token. */
  readonly api_token: string | null;
}

/** Whoever made a request, as far as pulsemap could tell. */
export interface Identity {
  /** Null for an anonymous caller. */
  readonly name: string | null;
  /** Null when the caller may not even read. */
  readonly role: Role | null;
  readonly via: 'token' | 'session' | 'header' | 'anonymous';
  /** The token a write from the page must echo (sessions and proxy users); null otherwise. */
  readonly csrf: string | null;
  /** Users, tokens or a trusted header are configured: reading needs a login unless public_read. */
  readonly loginConfigured: boolean;
  /** A login or the legacy api_token is configured, so a write can be authenticated at all. */
  readonly writesEnabled: boolean;
}

/** True when `role` includes everything `wanted` may do. */
export function hasRole(role: Role | null, wanted: Role): boolean {
  return role !== null && ROLES.indexOf(role) >= ROLES.indexOf(wanted);
}

export function loginConfigured(auth: AuthConfig): boolean {
  return auth.users.length > 0 || auth.tokens.length > 0 || auth.trusted_header !== null;
}
