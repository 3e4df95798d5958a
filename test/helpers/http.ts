// Real HTTP targets on 127.0.0.1 whose answers a test can switch, and a client for app.callback().
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

export interface Target {
  readonly url: string;
  /** HTTP status the target answers with from now on. */
  status: number;
  body: string;
  requests: number;
  close(): Promise<void>;
}

export async function startTarget(status = 200, body = '{"status":"ok"}'): Promise<Target> {
  const target = {
    url: '', status, body, requests: 0,
    close: async () => {},
  };
  const server = http.createServer((_req, res) => {
    target.requests += 1;
    res.writeHead(target.status, { 'content-type': 'application/json' });
    res.end(target.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  target.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return target;
}

export interface Served {
  readonly base: string;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: () => Promise<any>; text: () => Promise<string> }>;
  close(): Promise<void>;
}

/** Serves a request listener (a Koa app's callback) on a free loopback port. */
export async function serve(listener: RequestListener): Promise<Served> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    get: (path, headers = {}) => fetch(base + path, { headers }),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
