// Page logins: random session ids kept in memory (a restart logs everyone out), each with its
// own CSRF token and an absolute expiry. Time comes from the injected clock.
import { createHmac, randomBytes } from 'node:crypto';
import type { Role } from './types.ts';

export interface Session {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly csrf: string;
  /** Epoch ms. */
  readonly expires: number;
  /** The password hash at login: a changed password ends the session. */
  readonly credential: string;
}

export interface Sessions {
  create(name: string, role: Role, credential: string, ttlMs: number): Session;
  get(id: string): Session | null;
  delete(id: string): void;
  /** A CSRF token for a caller without a session (a proxy user), stable for this process. */
  csrfFor(name: string): string;
  close(): void;
}

/** Beyond this many live sessions the oldest ones end; protects memory from a login loop. */
const MAX_SESSIONS = 10_000;

export function createSessions(now: () => number = Date.now): Sessions {
  const sessions = new Map<string, Session>();
  const key = randomBytes(32);
  const token = () => randomBytes(32).toString('base64url');

  return {
    create(name, role, credential, ttlMs) {
      for (const [id, s] of sessions) if (s.expires <= now()) sessions.delete(id);
      while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      const session = { id: token(), name, role, csrf: token(), expires: now() + ttlMs, credential };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      const session = sessions.get(id);
      if (!session) return null;
      if (session.expires <= now()) {
        sessions.delete(id);
        return null;
      }
      return session;
    },
    delete(id) {
      sessions.delete(id);
    },
    csrfFor(name) {
      return createHmac('sha256', key).update(`header:${name}`).digest('base64url');
    },
    close() {
      sessions.clear();
    },
  };
}
