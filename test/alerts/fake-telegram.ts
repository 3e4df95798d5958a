// A fake Telegram Bot API server on 127.0.0.1: the one stand-in the tests allow. It records every
// request and answers as the test says: ok, 429 with retry_after, 400, 500, never (hang), or not
// at all because nothing listens (refuse).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Answer =
  | 'ok'
  | 'hang'
  | { readonly status: 429; readonly retry_after: number }
  | { readonly status: 400 | 401 | 403 | 500 | 502; readonly description?: string };

export interface RecordedRequest {
  readonly method: string;
  readonly token: string;
  readonly params: Record<string, string>;
  /** What the fake answered; null while hanging. */
  readonly answer: Answer;
  /** Wall-clock ms, for the record only. */
  readonly at: number;
}

export interface FakeTelegram {
  /** Pass as api_url. */
  readonly apiRoot: string;
  readonly requests: RecordedRequest[];
  /** sendMessage requests answered ok, in order. */
  delivered(): RecordedRequest[];
  /** Answer for requests once the queue is empty. */
  fallback: Answer;
  /** Answers for the next requests, one each. */
  queue(...answers: Answer[]): void;
  /** Stops listening: connections are refused until accept(). */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  /**
   * Queues an incoming message for getUpdates (chat id, text, sender), which is held open as a
   * long poll until there is one; returns its update_id.
   */
  pushMessage(chatId: number, text: string, from?: { id: number; username?: string }): number;
  /** Polls (real time, short steps) until the predicate holds. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function parseBody(contentType: string, body: string): Record<string, string> {
  if (contentType.includes('application/json')) {
    const json = JSON.parse(body) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return Object.fromEntries(new URLSearchParams(body));
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const requests: RecordedRequest[] = [];
  const pending: Answer[] = [];
  const sockets = new Set<Socket>();
  let messageId = 0;
  const updates: { update_id: number }[] = [];
  let nextUpdate = 1;
  /** getUpdates calls waiting for an update, with the offset they asked from. */
  const polls: { offset: number; answer: (list: unknown[]) => void }[] = [];
  const newer = (offset: number) => updates.filter((u) => u.update_id >= offset);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      const params = parseBody(String(req.headers['content-type'] ?? ''), Buffer.concat(chunks).toString('utf8'));
      if (match?.[2] === 'getUpdates') {
        // A long poll: answered at once when updates wait, else when one arrives.
        requests.push({ method: 'getUpdates', token: match[1]!, params, answer: 'ok', at: Date.now() });
        const offset = Number(params.offset ?? 0);
        const reply = (list: unknown[]) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, result: list }));
        };
        if (newer(offset).length > 0) reply(newer(offset));
        else polls.push({ offset, answer: reply });
        return;
      }
      const answer = pending.shift() ?? fake.fallback;
      requests.push({ method: match?.[2] ?? '?', token: match?.[1] ?? '', params, answer, at: Date.now() });
      if (answer === 'hang') return;
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (answer === 'ok') {
        messageId += 1;
        send(200, {
          ok: true,
          result: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(params.chat_id) || 1, type: 'group' }, text: params.text },
        });
      } else if (answer.status === 429) {
        send(429, {
          ok: false, error_code: 429, description: `Too Many Requests: retry after ${answer.retry_after}`,
          parameters: { retry_after: answer.retry_after },
        });
      } else {
        send(answer.status, { ok: false, error_code: answer.status, description: answer.description ?? `Error ${answer.status}` });
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });

  await listen(0);
  const port = (server.address() as AddressInfo).port;
  let listening = true;

  const fake: FakeTelegram = {
    apiRoot: `http://127.0.0.1:${port}`,
    requests,
    delivered: () => requests.filter((r) => r.method === 'sendMessage' && r.answer === 'ok'),
    fallback: 'ok',
    queue: (...answers) => void pending.push(...answers),
    pushMessage(chatId, text, from = { id: 4242, username: 'ana' }) {
      const id = nextUpdate++;
      messageId += 1;
      updates.push({
        update_id: id,
        message: { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'group' }, from: { is_bot: false, first_name: 'x', ...from }, text },
      } as { update_id: number });
      for (const poll of polls.splice(0)) poll.answer(newer(poll.offset));
      return id;
    },
    async refuse() {
      if (!listening) return;
      listening = false;
      await stop();
    },
    async accept() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    async waitFor(predicate, what, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; requests: ${JSON.stringify(requests.map((r) => [r.method, r.answer]))}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      if (listening) await stop();
      listening = false;
    },
  };
  return fake;
}
