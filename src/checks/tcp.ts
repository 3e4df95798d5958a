// tcp check: connect to host:port within the timeout; optionally send a line and wait for an
// expected text in what the server sends back.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { CheckOutcome, EntityBase } from '../domain.ts';
import { hostIssue } from '../config/rules.ts';
import { scrub } from '../secrets.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { describeError, timeoutMessage } from './errors.ts';
import { formatMs, truncate } from './format.ts';
import { failure, success } from './outcome.ts';

export interface TcpEntity extends EntityBase {
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
  /** Sent once connected; may hold a credential, so it is treated as a secret. */
  readonly send: string | null;
  /** A substring the server must send back. */
  readonly expect: string | null;
}

/** What is read while waiting for `expect`; a server that sends more is cut off there. */
const MAX_READ_BYTES = 64 * 1024;

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Latency is the connect time; waiting for `expect` counts against the timeout, not the figure. */
export async function checkTcp(entity: TcpEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const secrets = entity.send !== null && entity.send.length >= 4 ? [entity.send] : [];
  const started = performance.now();
  let socket: Socket | undefined;
  let connectMs: number | null = null;
  const cut = (): void => { socket?.destroy(); };
  ctx.signal.addEventListener('abort', cut, { once: true });
  try {
    socket = connect({ host: entity.host, port: entity.port });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve).once('error', reject)
        .once('close', () => reject(ctx.signal.aborted ? ctx.signal.reason : new Error('connection closed')));
    });
    connectMs = Math.round((performance.now() - started) * 100) / 100;
    const connected = `connected in ${formatMs(connectMs)} ms`;
    if (entity.send !== null && entity.send !== '') socket.write(entity.send);
    if (entity.expect === null) return success(connected, connectMs, {});
    const received = await readUntil(socket, entity.expect, ctx.signal);
    if (received.found) return success(`${connected}, got ${quote(entity.expect)}`, connectMs, {});
    const got = received.text === '' ? 'nothing' : quote(scrub(received.text, secrets));
    return failure(`expected ${quote(entity.expect)}, got ${got}${received.closed ? ' before the server closed the connection' : ''}`, {}, connectMs);
  } catch (err) {
    if (ctx.signal.aborted && connectMs !== null && entity.expect !== null) {
      return failure(`${timeoutMessage(entity.timeout)} waiting for ${quote(entity.expect)}`, {}, connectMs);
    }
    return failure(describeError(err, ctx.signal, entity.timeout, secrets), {}, connectMs);
  } finally {
    ctx.signal.removeEventListener('abort', cut);
    cut();
  }
}

interface Received {
  readonly found: boolean;
  readonly text: string;
  /** The server closed the connection (or the read limit was reached) before the text came. */
  readonly closed: boolean;
}

/** Reads until `expected` appears, the server closes, MAX_READ_BYTES arrived, or the signal fires (rejects). */
function readUntil(socket: Socket, expected: string, signal: AbortSignal): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    const done = (closed: boolean): void => {
      socket.removeAllListeners('data');
      resolve({ found: text.includes(expected), text, closed });
    };
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes(expected)) done(false);
      else if (Buffer.byteLength(text) >= MAX_READ_BYTES) done(true);
    });
    socket.once('end', () => done(true));
    socket.once('error', reject);
    socket.once('close', () => (signal.aborted ? reject(signal.reason) : done(true)));
  });
}

function quote(text: string): string {
  return JSON.stringify(truncate(text, 60));
}

export const tcp: CheckType<TcpEntity> = {
  build(raw: RawFields, base) {
    const host = raw.host as string;
    const port = raw.port as number;
    return {
      ...base, type: 'tcp', target: hostPort(host, port), host, port,
      send: (raw.send as string | undefined) ?? null, expect: (raw.expect as string | undefined) ?? null,
    };
  },
  validate: (raw, at) => hostIssue(raw.host, at('host')),
  secrets: (entity) => (entity.send !== null ? [entity.send] : []),
  check: checkTcp,
};
