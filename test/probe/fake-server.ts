// A stand-in pulsemap server for the probe client's tests: it speaks the probe protocol exactly
// (bearer token, ETag/304, the results summary) and records what it was sent.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from '../helpers/tls.ts';

export interface FakeAssignment {
  name: string;
  type: string;
  interval: number;
  timeout: number;
  check: Record<string, unknown>;
}

export interface ReceivedResult {
  entity: string;
  at: string;
  ok: boolean;
  latency_ms: number | null;
  message: string;
  extra: Record<string, unknown>;
}

export interface FakeServer {
  readonly url: string;
  site: string;
  token: string;
  /** Replaces the assignments; the ETag changes with them. */
  assign(entities: FakeAssignment[]): void;
  /** Answers every request with this status (503: failing, not refusing) until set to null. */
  failWith: number | null;
  /** Batches larger than this are refused with 413 (as the real server does past 1,000 or 1 MiB). */
  maxBatch: number;
  /** Every assignments request: the If-None-Match it carried and the status answered. */
  readonly polls: { ifNoneMatch: string | null; status: number }[];
  /** Every result accepted, in arrival order. */
  readonly results: ReceivedResult[];
  /** Sizes of the result batches received. */
  readonly batches: number[];
  /** Authorization headers seen (to prove how the token travels). */
  readonly authorizations: string[];
  /** Called as each request arrives, with its method (a test records its clock's time). */
  onRequest: ((method: string) => void) | null;
  close(): Promise<void>;
}

/** Over HTTPS with `tls` (a certificate for 127.0.0.1), else plain HTTP. */
export async function startFakeServer(site: string, token: string, tls?: KeyPair): Promise<FakeServer> {
  let entities: FakeAssignment[] = [];
  let version = 1;
  const fake: FakeServer = {
    url: '', site, token, failWith: null, maxBatch: 1000, polls: [], results: [], batches: [], authorizations: [], onRequest: null,
    assign(list) {
      entities = list;
      version += 1;
    },
    close: async () => {},
  };
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fake.authorizations.push(req.headers.authorization ?? '');
      fake.onRequest?.(req.method ?? '');
      if (fake.failWith !== null) return json(res, fake.failWith, { error: 'failing on purpose' });
      if (req.headers.authorization !== `Bearer ${fake.token}`) return json(res, 401, { error: 'unauthorized' });
      if (req.method === 'GET' && req.url === '/api/probe/v1/assignments') {
        const etag = `"v${version}"`;
        const ifNoneMatch = req.headers['if-none-match'] ?? null;
        if (ifNoneMatch === etag) {
          fake.polls.push({ ifNoneMatch, status: 304 });
          res.writeHead(304, { etag });
          return res.end();
        }
        fake.polls.push({ ifNoneMatch, status: 200 });
        return json(res, 200, { site: fake.site, entities }, { etag });
      }
      if (req.method === 'POST' && req.url === '/api/probe/v1/results') {
        if (req.headers['content-type'] !== 'application/json') return json(res, 415, { error: 'wants application/json' });
        let body: { results?: ReceivedResult[] };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return json(res, 400, { error: 'not JSON' });
        }
        if (!Array.isArray(body.results)) return json(res, 400, { error: 'results must be a list' });
        if (body.results.length > fake.maxBatch) return json(res, 413, { error: `at most ${fake.maxBatch} results` });
        fake.batches.push(body.results.length);
        const known = new Set(entities.map((e) => e.name));
        const rejected: { index: number; entity: string; error: string }[] = [];
        body.results.forEach((r, index) => {
          if (known.has(r.entity)) fake.results.push(r);
          else rejected.push({ index, entity: r.entity, error: 'not located at this site' });
        });
        return json(res, 200, { accepted: body.results.length - rejected.length, rejected });
      }
      return json(res, 404, { error: 'not found' });
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handle) : http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { url: string }).url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return fake;
}
