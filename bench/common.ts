// Shared plumbing for the benchmarks: child processes with a request/reply channel, figures,
// tables, temporary directories and entity files.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FULL = process.argv.includes('--full');

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A helper process under bench/ that answers `{ id, cmd, ... }` messages with `{ id, ... }`. */
export interface Helper {
  readonly child: ChildProcess;
  /** The first message the helper sent (its `ready` report). */
  readonly ready: Record<string, unknown>;
  ask<T = Record<string, unknown>>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Asks it to stop, then kills it if it does not exit in time. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * The V8 flags pulsemap runs with in production (package.json's start script, the bin, the
 * Dockerfile): the service is measured as it is shipped.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'];

/** Debian's libjemalloc2 on this machine, whatever its architecture; null when it is not installed. */
export function jemallocPath(): string | null {
  const dir = readdirSync('/usr/lib').find((d) => d.endsWith('-linux-gnu') && existsSync(`/usr/lib/${d}/libjemalloc.so.2`));
  return dir === undefined ? null : `/usr/lib/${dir}/libjemalloc.so.2`;
}

/** jemalloc's settings in the Docker image (its MALLOC_CONF), measured by `footprint --malloc jemalloc`. */
export const JEMALLOC_CONF = 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0';

/**
 * Node's compile cache for the service processes, as bin/pulsemap.js turns it on in production:
 * from the second start on, no type stripper in the process.
 */
export const BENCH_COMPILE_CACHE = join(tmpdir(), 'pulsemap-bench-compile-cache');

export interface HelperOptions {
  /** Node flags; default: SERVICE_NODE_FLAGS for pulsemap-child.ts, none for the others. */
  readonly nodeFlags?: readonly string[];
  /** CPUs to pin the process to (`taskset -c`), e.g. '0' for a one-core board. */
  readonly cpus?: string;
}

export async function startHelper(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}, options: HelperOptions = {}): Promise<Helper> {
  const service = script.endsWith('pulsemap-child.ts');
  const flags = options.nodeFlags ?? (service ? SERVICE_NODE_FLAGS : []);
  // taskset runs node in its own place and hands on the IPC channel with the environment.
  const child = fork(new URL(script, import.meta.url), [...args], {
    execPath: options.cpus === undefined ? process.execPath : 'taskset',
    execArgv: options.cpus === undefined ? [...flags] : ['-c', options.cpus, process.execPath, ...flags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...(service ? { NODE_COMPILE_CACHE: BENCH_COMPILE_CACHE } : {}), ...env },
  });
  let seq = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`${script} exited (${code ?? signal})`));
    waiting.clear();
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.once('exit', (code) => reject(new Error(`${script} exited before it was ready (${code})`)));
  });
  if (ready.error) throw new Error(`${script}: ${String(ready.error)}`);
  child.on('message', (m: { id?: number; error?: string }) => {
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(m.error));
    else w.resolve(m);
  });
  return {
    child,
    ready,
    ask<T>(cmd: string, rest: Record<string, unknown> = {}, timeoutMs = 120_000) {
      seq += 1;
      const id = seq;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`${script}: no answer to ${cmd}`)); }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => { clearTimeout(timer); resolve(v as T); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        });
        child.send({ id, cmd, ...rest });
      });
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

type Handler = (msg: Record<string, unknown>) => unknown;

/** Inside a helper: answers requests with the handlers, and stops cleanly on SIGTERM. */
export function serveRequests(handlers: Record<string, Handler>, onStop: () => Promise<void>): void {
  process.on('message', (msg: Record<string, unknown> & { id: number; cmd: string }) => {
    const handler = handlers[msg.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${msg.cmd}`);
        return handler(msg);
      })
      .then(
        (reply) => process.send!({ id: msg.id, ...(reply as object) }),
        (err: unknown) => process.send!({ id: msg.id, error: String(err) }),
      );
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A hung close must not leave the process behind: the parent also kills after a while.
    onStop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  // The parent went away: nothing will ever ask again.
  process.once('disconnect', stop);
}

/** Value at quantile q (0..1) of ascending `sorted`. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `n` with at most `digits` decimals and thousands separators. */
export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export const mb = (bytes: number): string => `${fmt(bytes / 1024 / 1024, 1)} MB`;

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `pulsemap-bench-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface EntitySet {
  readonly count: number;
  readonly interval: number;
  /** Base URL of the target server, or several (entity i uses the i-th modulo); each entity gets its own path. */
  readonly baseUrl: string | readonly string[];
  readonly timeout?: number;
  readonly retryInterval?: number;
  readonly failureThreshold?: number;
  /** Extra top-level YAML (notify: ...). */
  readonly extraYaml?: string;
  /**
   * 'graph': a realistic map, in groups of ten (a host and nine services that depend on it),
   * every fifth service also depending on one in an earlier group. Default 'flat': no edges.
   */
  readonly shape?: 'flat' | 'graph';
}

const GROUP = 10;

function graphLines(i: number): string[] {
  const g = Math.floor(i / GROUP);
  const host = g * GROUP;
  const deps: number[] = [];
  if (i !== host) deps.push(host);
  if (i !== host && i % 5 === 0 && g > 0) deps.push((g - 1) * GROUP + ((i * 7) % (GROUP - 1)) + 1);
  return [
    `    group: vds_${g}`,
    ...(deps.length > 0 ? [`    dependencies: [${deps.map(entityName).join(', ')}]`] : []),
  ];
}

export const entityName = (i: number): string => `e${i}`;

/** Writes an entities.yaml of `count` api entities; returns its path. */
export function writeEntities(dir: string, set: EntitySet): string {
  const lines = [
    'title: pulsemap bench',
    'defaults:',
    `  interval: ${set.interval}`,
    `  timeout: ${set.timeout ?? 5}`,
    `  retry_interval: ${set.retryInterval ?? set.interval}`,
    `  failure_threshold: ${set.failureThreshold ?? 3}`,
    set.extraYaml ?? '',
    set.count === 0 ? 'entities: {}' : 'entities:',
  ];
  const bases = typeof set.baseUrl === 'string' ? [set.baseUrl] : set.baseUrl;
  for (let i = 0; i < set.count; i++) {
    lines.push(`  ${entityName(i)}:`, '    type: api', `    url: ${bases[i % bases.length]}/e/${i}`);
    if (set.shape === 'graph') lines.push(...graphLines(i));
  }
  const file = join(dir, 'entities.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The target server's base URLs, one per port it listens on (bench/target-server.ts). */
export function targetBases(ready: Record<string, unknown>): string[] {
  const ports = (ready.ports as number[] | undefined) ?? [ready.port as number];
  return ports.map((p) => `http://127.0.0.1:${p}`);
}

/** Cumulative CPU time (user + system) of this process in ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Cumulative kernel-side CPU time of this process in ms. */
export function systemCpuMs(): number {
  return process.cpuUsage().system / 1000;
}

/**
 * CPU ms (user + system) of this process's threads, summed by thread name (/proc/self/task):
 * the main thread (named after the program, e.g. `node`), V8Worker (GC and compiler helpers),
 * libuv-worker... Map layouts are not among them: they run in-process or in a child process of
 * their own. Clock ticks are 1/100 s on Linux.
 */
export function threadCpuMs(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[comm] = (out[comm] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** after - before, per key (threads that ended are lost). */
export function diffCpu(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

/**
 * Runs `fn` with the URL of a throwaway PostgreSQL database on the test server (PGURL), named
 * `pulsemap_bench_*` and dropped afterwards.
 */
export async function withTempDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const base = process.env.PGURL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `pulsemap_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
