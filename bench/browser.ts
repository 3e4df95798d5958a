// A running pulsemap with sample targets on 127.0.0.1, and headless Chromium to look at its page.
// Shared by the page benchmark, `npm run screenshots` and the browser tests.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchChromium } from '../test/helpers/browser.ts';
import { startService } from '../src/main.ts';
import type { Service } from '../src/main.ts';
import { silentLogger } from '../src/log.ts';
import type { CompanyTargets } from './samples.ts';

export const launchBrowser = launchChromium;

/** Three targets: one answering 200, one 503, and a port that refuses connections. */
export async function startCompanyTargets(): Promise<CompanyTargets & { close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const failing = req.url?.startsWith('/failing');
    res.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
    res.end(failing ? '{"status":"database unavailable"}' : '{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free and is closed again: connecting is refused.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const refusedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return {
    ok: `${base}/health`,
    failing: `${base}/failing/health`,
    refused: `http://127.0.0.1:${refusedPort}/health`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface Running {
  readonly service: Service;
  readonly file: string;
  close(): Promise<void>;
}

/** pulsemap serving `yaml` on a free loopback port, with a store in a temporary directory. */
export async function startPulsemap(yaml: string): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-sample-'));
  const file = path.join(dir, 'entities.yaml');
  writeFileSync(file, yaml);
  const service = await startService({ config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger: silentLogger() });
  return {
    service,
    file,
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the entities' statuses satisfy `ready` (polling the API; the checks run meanwhile). */
export async function waitForStatuses(url: string, ready: (byName: Map<string, string>) => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const docs = await (await fetch(`${url}/entities`)).json() as { name: string; status: string }[];
    if (ready(new Map(docs.map((d) => [d.name, d.status])))) return;
    if (Date.now() > until) throw new Error('the sample did not reach the expected statuses in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
