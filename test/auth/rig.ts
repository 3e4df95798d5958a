// A pulsemap app with login on, served on 127.0.0.1, and a client that keeps a session cookie.
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/types.ts';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { runCheck } from '../../src/checks/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { createApp } from '../../src/server/app.ts';
import { createLogger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { serve } from '../helpers/http.ts';
import type { Served } from '../helpers/http.ts';
import { hashPassword } from '../../src/auth/password.ts';

/** Cheap scrypt for tests that log in often; the default cost has its own test. */
export const TEST_COST = { N: 1024, r: 8, p: 1 };

export const PASSWORDS = { ana: 'ana-password-1', ed: 'ed-password-22', ben: 'ben-password-333' } as const;
export const ENV = { EDITOR_TOKEN: 'editor-token-0123456789', VIEWER_TOKEN: 'viewer-token-0123456789' };

export async function authYaml(extra = ''): Promise<string> {
  const [ana, ed, ben] = await Promise.all([PASSWORDS.ana, PASSWORDS.ed, PASSWORDS.ben].map((p) => hashPassword(p, TEST_COST)));
  return `auth:
  users:
    - { name: ana, role: admin, password_hash: "${ana}" }
    - { name: ed, role: editor, password_hash: "${ed}" }
    - { name: ben, role: viewer, password_hash: "${ben}" }
  tokens:
    - { name: deploy-bot, role: editor, token: "\${EDITOR_TOKEN}" }
    - { name: reader, role: viewer, token: "\${VIEWER_TOKEN}" }
${extra}entities:
  web: { type: ping, host: 127.0.0.1 }
`;
}

export function configFrom(text: string, env: NodeJS.ProcessEnv = ENV): Config {
  const parsed = parseConfig(text, 'entities.yaml', env);
  if ('errors' in parsed) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return parsed.config;
}

export interface Rig {
  readonly base: string;
  readonly clock: FakeClock;
  readonly monitor: Monitor;
  /** Everything the server logged. */
  log(): string;
  /** Every response body the rig's client received. */
  readonly bodies: string[];
  request(method: string, url: string, options?: { headers?: Record<string, string>; body?: unknown; localAddress?: string }): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  json(): any;
}

export async function startRig(config: Config): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-auth-'));
  const clock = fakeClock(Date.parse('2026-12-01T08:00:00.000Z'));
  const store: Store = await openSqliteStore({ dir });
  const monitor = createMonitor({ config, store, runCheck, clock, random: () => 0.5 });
  await monitor.start();
  const lines: string[] = [];
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const logger = createLogger({ level: 'debug', destination: out });
  const metrics = createMetrics({ monitor, outboxDepth: async () => 0 });
  const app = createApp({ monitor, store, logger, clock, metrics, configStatus: () => ({ path: 'entities.yaml', loaded_at: 0, error: null }) });
  const served: Served = await serve(app.callback());
  const bodies: string[] = [];
  const url = new URL(served.base);
  return {
    base: served.base, clock, monitor, bodies,
    log: () => lines.join(''),
    request(method, target, options = {}) {
      const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const headers: Record<string, string> = { ...options.headers };
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      return new Promise((resolve, reject) => {
        const req = http.request({ host: url.hostname, port: url.port, path: target, method, headers, localAddress: options.localAddress }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            bodies.push(text);
            resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    async close() {
      await served.close();
      await monitor.stop();
      metrics.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in; returns the headers a logged-in page sends (cookie, CSRF token). */
export async function login(rig: Rig, name: keyof typeof PASSWORDS): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }> {
  const res = await rig.request('POST', '/login', { body: { name, password: PASSWORDS[name] } });
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${res.text}`);
  const cookie = String(res.headers['set-cookie']?.[0]).split(';')[0]!;
  const csrf = res.json().csrf as string;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}
