// The targets the monitor checks: a node:http server on 127.0.0.1 in its own process, so its CPU
// is not counted as pulsemap's. Every path answers 200 "ok" unless the parent marks it failing;
// for failing paths it records when each failing answer started (alert latency).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuMs, serveRequests } from './common.ts';

const failing = new Set<string>();
const failures = new Map<string, number[]>();
let requests = 0;

const server = http.createServer((req, res) => {
  requests += 1;
  const path = req.url ?? '/';
  if (failing.has(path)) {
    failures.get(path)!.push(Date.now());
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('failing on purpose');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
  res.end('ok');
});
// Connections are per check: the server must not be the one that runs out of sockets.
server.maxHeadersCount = 50;
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});

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
    server.closeAllConnections();
    server.close(() => resolve());
  }),
);
