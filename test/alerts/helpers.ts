// Shared pieces of the alert tests: a throwaway SQLite store, a logger whose lines the test can
// read, a recording webhook receiver, and notify settings pointing at loopback servers.
import http from 'node:http';
import { after, afterEach, before } from 'node:test';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/log.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import type { TelegramConfig } from '../../src/types.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';

export const TOKEN = '123456789:AAE-secret-bot-token_xyz';

export function telegramConfig(apiRoot: string, over: Partial<TelegramConfig> = {}): TelegramConfig {
  return { token: TOKEN, chat_id: '-1001234567890', api_url: apiRoot, thread_id: null, silent: false, reminder: 0, commands: false, ...over };
}

export interface TempStore {
  readonly dir: string;
  readonly store: Store;
  reopen(): Promise<Store>;
  remove(): void;
}

export async function tempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'pulsemap-alerts-'));
  const store = await openSqliteStore({ dir });
  return {
    dir, store,
    reopen: () => openSqliteStore({ dir }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: string[];
}

export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug', base: undefined }, destination), lines };
}

export interface Receiver {
  readonly url: string;
  readonly requests: { headers: http.IncomingHttpHeaders; body: string }[];
  /** Status answered from now on. */
  status: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver = { url: '', requests: [] as Receiver['requests'], status: 204, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(receiver.status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return receiver;
}

/** Polls (real time, short steps) until the predicate holds. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A fake Bot API and a webhook receiver for the whole file, emptied after each test (call it
 * after the file's own afterEach, so rigs close before their requests are forgotten).
 */
export function useFakeTelegramAndReceiver(started: (fake: FakeTelegram, receiver: Receiver) => void): void {
  let fake: FakeTelegram;
  let receiver: Receiver;
  before(async () => {
    fake = await startFakeTelegram();
    receiver = await startReceiver();
    started(fake, receiver);
  });
  after(async () => {
    await fake.close();
    await receiver.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
    fake.fallback = 'ok';
    receiver.requests.length = 0;
    receiver.status = 204;
  });
}
