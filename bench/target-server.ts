// The targets the monitor checks: a node:http server on 127.0.0.1 in its own process, so its CPU
// is not counted as pulsemap's. Every path answers 200 "ok" unless the parent marks it failing;
// for failing paths it records when each failing answer started (alert latency).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuMs, serveRequests } from './common.ts';

const failing = new Set<string>();
const failures = new Map<string, number[]>();
let requests = 0;

const answer: http.RequestListener = (req, res) => {
  requests += 1;
  const path = req.url ?? '/';
  // /slow/MS/…: answers after MS ms (a distant target); /hang/…: never answers (the client's
  // timeout ends it; the server only lets go when the client closes).
  if (path.startsWith('/hang/')) return;
  if (path.startsWith('/slow/')) {
    const ms = Number(path.split('/')[2]);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    }, Number.isFinite(ms) ? ms : 0);
    return;
  }
  if (failing.has(path)) {
    failures.get(path)!.push(Date.now());
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('failing on purpose');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
};
const server = http.createServer(answer);
// Connections are per check: the server must not be the one that runs out of sockets.
server.maxHeadersCount = 50;
server.keepAliveTimeout = 1000;
// The same answers on several ports: a monitor's entities are spread over many hosts, and
// tens of thousands of fresh connections a minute to one address and port make the kernel
// search its ephemeral ports at each connect (a quarter of the service's CPU at 20,000
// entities), a cost no real estate pays. `port` is the first; entities spread over `ports`.
const PORTS = 8;
const extra = Array.from({ length: PORTS - 1 }, () => {
  const s = http.createServer(answer);
  s.maxHeadersCount = 50;
  s.keepAliveTimeout = 1000;
  return s;
});
const listening = (s: http.Server): Promise<number> => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
const ports = [await listening(server), ...(await Promise.all(extra.map(listening)))];
process.send!({ port: ports[0], ports });

serveRequests(
  {
    stats: () => ({ requests, cpuMs: cpuMs() }),
    /** Marks a path failing (or healthy again) and says when, in epoch ms. */
    fail: (msg) => {
      const path = String(msg.path);
      if (msg.on) {
        failing.add(path);
        failures.set(path, []);
      } else {
        failing.delete(path);
      }
      return { at: Date.now() };
    },
    /** Start times of the failing answers served for a path since it was marked failing. */
    failures: (msg) => ({ at: failures.get(String(msg.path)) ?? [] }),
  },
  () => new Promise<void>((resolve) => {
    let open = 1 + extra.length;
    for (const s of [server, ...extra]) {
      s.closeAllConnections();
      s.close(() => { if (--open === 0) resolve(); });
    }
  }),
);
