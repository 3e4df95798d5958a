// database check: connect to PostgreSQL, run the entity's query, report the database size.
import { Socket } from 'node:net';
import type pg from 'pg';
import type { CheckOutcome, EntityBase, ExtraValue } from '../domain.ts';
import { urlIssue } from '../config/rules.ts';
import { scrub, urlSecrets } from '../secrets.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { describeError, errorText, timeoutMessage } from './errors.ts';
import { formatBytes, formatMs, toNumber, truncate } from './format.ts';
import { failure, success } from './outcome.ts';

export interface DatabaseEntity extends EntityBase {
  readonly type: 'database';
  /** postgres:// URL, may contain a password: never show it. */
  readonly url: string;
  readonly query: string;
}

/** How long a polite goodbye (Terminate message) may take before the socket is cut. */
const END_GRACE_MS = 250;

/**
 * Latency is connect + authentication + the entity's query; the size query that follows is
 * not counted. The socket is created here (pg's `stream` option) so that an abort or a server
 * that never answers can always be cut off, whatever state pg's client is in.
 */
export async function checkDatabase(entity: DatabaseEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const secrets = urlSecrets(entity.url);
  const budgetMs = Math.max(1, Math.floor(ctx.deadline - Date.now()));
  let socket: Socket | undefined;
  // Loaded on the first database check: a service without one never holds pg.
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({
    connectionString: entity.url,
    connectionTimeoutMillis: budgetMs,
    query_timeout: budgetMs,
    statement_timeout: budgetMs,
    application_name: 'pulsemap',
    stream: () => (socket = new Socket()),
  });
  // pg emits late socket errors as events; without a listener they would crash the process.
  client.on('error', () => {});
  const cut = () => socket?.destroy();
  ctx.signal.addEventListener('abort', cut, { once: true });

  const started = performance.now();
  let phase: 'connect' | 'query' = 'connect';
  try {
    await client.connect();
    phase = 'query';
    await client.query(entity.query);
    const latency = Math.round(performance.now() - started);
    const extra: Record<string, ExtraValue> = {};
    const size = await client.query<{ size: string }>('select pg_database_size(current_database()) as size');
    // int8 arrives as a string; Number is exact up to 8 PiB.
    const bytes = toNumber(size.rows[0]?.size);
    if (bytes !== null) {
      extra.size = formatBytes(bytes);
      extra.size_bytes = bytes;
    }
    return success(`query ok in ${formatMs(latency)} ms`, latency, extra);
  } catch (err) {
    return failure(describeDatabaseError(err, phase, client, entity, ctx, secrets));
  } finally {
    ctx.signal.removeEventListener('abort', cut);
    await endWithin(client, END_GRACE_MS);
    cut();
  }
}

function describeDatabaseError(
  err: unknown,
  phase: 'connect' | 'query',
  client: pg.Client,
  entity: DatabaseEntity,
  ctx: CheckContext,
  secrets: readonly string[],
): string {
  if (ctx.signal.aborted) return describeError(err, ctx.signal, entity.timeout, secrets);
  const code = (err as { code?: unknown } | null)?.code;
  const text = errorText(err);
  // SQLSTATE codes first: https://www.postgresql.org/docs/current/errcodes-appendix.html
  if (code === '28P01') return `authentication failed for user "${client.user ?? ''}"`;
  if (code === '3D000') return `database "${client.database ?? ''}" does not exist`;
  if (code === '57014') return timeoutMessage(entity.timeout);
  if (/client password must be a string/.test(text)) return `password required for user "${client.user ?? ''}"`;
  // pg's own timers: connectionTimeoutMillis ('timeout expired', 'connection timeout') and query_timeout.
  if (/timeout expired|connection timeout|query read timeout/i.test(text)) return timeoutMessage(entity.timeout);
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const message = truncate(scrub(text, secrets), 200);
    return phase === 'query' ? `query failed: ${message}` : message;
  }
  return describeError(err, ctx.signal, entity.timeout, secrets);
}

async function endWithin(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); });
  try {
    await Promise.race([client.end().catch(() => {}), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** postgres://user@host:port/db: the password goes, from the authority and from `?password=`. */
export function safeDatabaseTarget(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/([^/:@]*):[^/@]*@/, '//$1@');
  const u = new URL(url);
  u.password = '';
  for (const key of ['password', 'sslpassword']) u.searchParams.delete(key);
  return u.href;
}

export const database: CheckType<DatabaseEntity> = {
  build(raw: RawFields, base) {
    const url = raw.url as string;
    return { ...base, type: 'database', target: safeDatabaseTarget(url), url, query: (raw.query as string | undefined) ?? 'select 1' };
  },
  validate: (raw, at) => urlIssue(raw.url, at('url')),
  secrets: (entity) => urlSecrets(entity.url),
  check: checkDatabase,
  hiddenFigures: ['size_bytes'],
};
