// A stand-in for a chat or paging service's HTTP API on 127.0.0.1: records every request and
// answers from a queue (ok, 429 with Retry-After, 500, or never), then with `fallback`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer =
  | 'ok'
  | 'hang'
  | { readonly status: number; readonly retryAfter?: string; readonly body?: string };

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeChat {
  /** http://127.0.0.1:PORT, no trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Answers for the next requests, in order. */
  queue(...answers: Answer[]): void;
  fallback: Answer;
  /** What an `ok` answers: status and body. */
  ok: { status: number; body: string };
  close(): Promise<void>;
}

export async function startFakeChat(): Promise<FakeChat> {
  const queued: Answer[] = [];
  const hung = new Set<http.ServerResponse>();
  const fake: FakeChat = {
    url: '',
    requests: [],
    queue: (...answers) => { queued.push(...answers); },
    fallback: 'ok',
    ok: { status: 200, body: '' },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fake.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = queued.shift() ?? fake.fallback;
      if (answer === 'hang') {
        hung.add(res);
        return;
      }
      const { status, body } = answer === 'ok' ? fake.ok : { status: answer.status, body: answer.body ?? '' };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer !== 'ok' && answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return fake;
}
