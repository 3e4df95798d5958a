// A fake Telegram Bot API server on 127.0.0.1 (the one stand-in allowed): answers every method
// with ok, and records when each sendMessage arrived and its text.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** Epoch ms when the request's body had arrived. */
  readonly at: number;
  readonly text: string;
}

export interface FakeTelegram {
  readonly apiRoot: string;
  readonly messages: Received[];
  /** Resolves with the first message after index `from` whose text contains `needle`. */
  waitFor(needle: string, from: number, timeoutMs: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const messages: Received[] = [];
  let messageId = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const params = String(req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(raw) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
      if (req.url?.endsWith('/sendMessage')) messages.push({ at, text: String(params.text ?? '') });
      messageId += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        ok: true,
        result: { message_id: messageId, date: Math.floor(at / 1000), chat: { id: 1, type: 'group' }, text: params.text },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    apiRoot: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    async waitFor(needle, from, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = messages.slice(from).find((m) => m.text.includes(needle));
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`no Telegram message naming ${needle} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
