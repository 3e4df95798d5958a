// Koa middleware: who is calling (bearer token, page session, or a user named by a trusted
// proxy), and a guard for routes that need a role. Any route module uses it as
// `router.post('/x', requireRole('editor'), handler)`.
import type { Context, Next } from 'koa';
import { HttpError } from '../server/errors.ts';
import { blockListOf, isFrom } from './network.ts';
import { safeEqual } from './password.ts';
import type { Sessions } from './sessions.ts';
import { hasRole, loginConfigured } from './types.ts';
import type { AuthConfig, Identity, Role } from './types.ts';

export const SESSION_COOKIE = 'pulsemap_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface IdentifyDeps {
  /** The running configuration's auth section (it follows hot reloads). */
  readonly auth: () => AuthConfig;
  readonly sessions: Sessions;
}

/** The token of `Authorization: Bearer TOKEN`, or null. */
export function bearer(ctx: Context): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  return m ? m[1]! : null;
}

function byToken(auth: AuthConfig, token: string): { name: string; role: Role } | null {
  let found: { name: string; role: Role } | null = null;
  // Every candidate is compared, so the time taken says nothing about which one matched.
  if (auth.api_token !== null && safeEqual(token, auth.api_token)) found = { name: 'api_token', role: 'admin' };
  for (const t of auth.tokens) if (safeEqual(token, t.token) && !found) found = { name: t.name, role: t.role };
  return found;
}

export function resolveIdentity(ctx: Context, auth: AuthConfig, sessions: Sessions): Identity {
  const configured = loginConfigured(auth);
  const writesEnabled = configured || auth.api_token !== null;
  const token = bearer(ctx);
  if (token !== null) {
    const who = byToken(auth, token);
    if (!who) throw new HttpError(401, 'the bearer token is not valid');
    return { ...who, via: 'token', csrf: null, loginConfigured: configured, writesEnabled };
  }
  const header = auth.trusted_header;
  if (header && isFrom(ctx.req, blockListOf(header.from))) {
    const name = ctx.get(header.name).trim();
    if (name !== '') {
      const role = auth.users.find((u) => u.name === name)?.role ?? header.role;
      return { name, role, via: 'header', csrf: sessions.csrfFor(name), loginConfigured: configured, writesEnabled };
    }
  }
  const id = ctx.cookies.get(SESSION_COOKIE);
  const session = id ? sessions.get(id) : null;
  if (session) {
    const user = auth.users.find((u) => u.name === session.name);
    // A removed user or a changed password ends the session; a changed role applies at once.
    if (user && user.password_hash === session.credential) {
      return { name: user.name, role: user.role, via: 'session', csrf: session.csrf, loginConfigured: configured, writesEnabled };
    }
    sessions.delete(session.id);
  }
  const anonymousRole: Role | null = !configured || auth.public_read ? 'viewer' : null;
  return { name: null, role: anonymousRole, via: 'anonymous', csrf: null, loginConfigured: configured, writesEnabled };
}

/** Sets `ctx.state.identity` for every request; refuses only a wrong bearer token. */
export function identify(deps: IdentifyDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.state.identity = resolveIdentity(ctx, deps.auth(), deps.sessions);
    await next();
  };
}

export function identityOf(ctx: Context): Identity {
  const identity = ctx.state.identity as Identity | undefined;
  if (!identity) throw new Error('identify() must run before requireRole()');
  return identity;
}

export const HOW_TO_ENABLE_LOGIN = 'writing is off because no login is configured: add a user under auth.users in entities.yaml '
  + '(`pulsemap user add NAME --role editor` prints the entry) or a token under auth.tokens, then log in or send Authorization: Bearer <token>';

/**
 * The caller must have `wanted`; writes from the page (session or proxy user) must also carry
 * the CSRF token in the X-CSRF-Token header.
 */
export function requireRole(wanted: Role) {
  return async (ctx: Context, next: Next): Promise<void> => {
    checkRole(ctx, wanted);
    await next();
  };
}

export function checkRole(ctx: Context, wanted: Role): Identity {
  const id = identityOf(ctx);
  const writing = ctx.method !== 'GET' && ctx.method !== 'HEAD';
  if (id.via === 'anonymous' && (writing || !hasRole(id.role, wanted))) {
    if (!id.writesEnabled && writing) throw new HttpError(403, HOW_TO_ENABLE_LOGIN);
    throw new HttpError(401, writing ? 'log in or send a valid bearer token' : 'log in to see this');
  }
  if (!hasRole(id.role, wanted)) throw new HttpError(403, `this needs the ${wanted} role; ${id.name ?? 'you'} ${id.role ? `is ${id.role}` : 'may not read'}`);
  if (writing && id.csrf !== null && !safeEqual(ctx.get(CSRF_HEADER), id.csrf)) {
    throw new HttpError(403, 'missing or wrong CSRF token: reload the page and try again');
  }
  return id;
}
