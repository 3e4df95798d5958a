// Several `pulsemap serve` processes on one PostgreSQL for the cluster tests: start, read their
// API and metrics, wait for what they report.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePrometheus } from '../helpers/prometheus.ts';

const root = path.resolve(import.meta.dirname, '../..');

export interface Instance {
  readonly id: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  /** Log lines so far (JSON), for messages on failure. */
  readonly log: string[];
}

export async function startInstance(options: {
  id: string; config: string; store: string; data: string; env?: Record<string, string>;
}): Promise<Instance> {
  const child = spawn(process.execPath, [
    path.join(root, 'src/cli.ts'), 'serve', '--config', options.config, '--port', '0', '--host', '127.0.0.1',
    '--data', options.data, '--store', options.store, '--instance', options.id,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info', ...options.env } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const log: string[] = [];
  child.stderr!.on('data', (d) => log.push(String(d)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'pulsemap listening') resolve({ id: options.id, child, url: entry.url, exited, log });
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`instance ${options.id} exited with ${code}: ${log.join('\n')}`)));
  });
}

export async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}

/** Checks this instance ran itself, per entity (its check-duration histogram counts). */
export async function ownChecks(instance: Instance): Promise<Map<string, number>> {
  const families = parsePrometheus(await (await fetch(`${instance.url}/metrics`)).text());
  const out = new Map<string, number>();
  for (const s of families.get('pulsemap_check_duration_seconds')?.samples ?? []) {
    if (s.name === 'pulsemap_check_duration_seconds_count') out.set(s.labels.name!, s.value);
  }
  return out;
}

/** Polls (real time, short steps) until `check` returns a value that is not undefined. */
export async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(200);
  }
}

export async function stop(instance: Instance): Promise<void> {
  if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGTERM');
  await instance.exited;
}
