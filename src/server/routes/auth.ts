// POST /login, POST /logout, GET /session: page logins. Anonymous routes by nature.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Logger } from '../../log.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { checkRole, identityOf, SESSION_COOKIE } from '../../auth/identity.ts';
import type { LoginLimiter } from '../../auth/limiter.ts';
import { blockListOf, clientAddress, isHttps } from '../../auth/network.ts';
import { unusableHash, verifyPassword } from '../../auth/password.ts';
import type { Sessions } from '../../auth/sessions.ts';
import type { AuthConfig } from '../../auth/types.ts';

export interface AuthRouteDeps {
  readonly auth: () => AuthConfig;
  readonly sessions: Sessions;
  readonly limiter: LoginLimiter;
  readonly logger: Logger;
}

const LOGIN_BODY_LIMIT = 16 * 1024;

function cookie(ctx: Context, auth: AuthConfig, value: string, maxAgeS: number): void {
  const secure = isHttps(ctx.req, blockListOf(auth.proxies)) ? '; Secure' : '';
  ctx.append('Set-Cookie', `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`);
}

export function authRoutes(router: Router, deps: AuthRouteDeps): void {
  router.post('/login', async (ctx) => {
    const auth = deps.auth();
    const { data, form } = await readBody(ctx, LOGIN_BODY_LIMIT);
    const name = typeof data.name === 'string' ? data.name : '';
    const password = typeof data.password === 'string' ? data.password : '';
    if (name === '' || password === '') throw new HttpError(400, 'send name and password');
    const address = clientAddress(ctx.req, blockListOf(auth.proxies));
    const keys = [`ip:${address}`, `user:${name}`];
    const wait = deps.limiter.wait(keys);
    if (wait > 0) {
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpError(429, `too many failed logins; try again in ${Math.ceil(wait / 1000)} s`);
    }
    const user = auth.users.find((u) => u.name === name);
    // An unknown name costs one hash too, so timing does not tell which names exist.
    const ok = await verifyPassword(password, user?.password_hash ?? unusableHash(auth.users[0]?.password_hash));
    if (!ok || !user) {
      deps.limiter.failed(keys);
      deps.logger.warn({ user: name, address }, 'login failed');
      throw new HttpError(401, 'wrong name or password');
    }
    deps.limiter.succeeded(keys);
    const ttlS = Math.round(auth.session_hours * 3600);
    const session = deps.sessions.create(user.name, user.role, user.password_hash, ttlS * 1000);
    cookie(ctx, auth, session.id, ttlS);
    deps.logger.info({ user: user.name, role: user.role, address }, 'login');
    if (form) {
      ctx.status = 303;
      ctx.redirect('./');
      return;
    }
    ctx.body = { name: user.name, role: user.role, csrf: session.csrf };
  });

  router.post('/logout', async (ctx) => {
    const id = identityOf(ctx);
    if (id.via === 'session') {
      checkRole(ctx, 'viewer');
      const sessionId = ctx.cookies.get(SESSION_COOKIE);
      if (sessionId) deps.sessions.delete(sessionId);
      deps.logger.info({ user: id.name }, 'logout');
    }
    cookie(ctx, deps.auth(), '', 0);
    ctx.status = 204;
  });

  router.get('/session', (ctx) => {
    const id = identityOf(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { name: id.name, role: id.role, via: id.via, csrf: id.csrf, login: id.loginConfigured, writes: id.writesEnabled };
  });
}
