// Question 9, footprint: how fast the service starts and how much memory it holds, run the way
// users run it, on this machine and on a small-board profile.
//   A. start-up: the production command (package.json's start script: node, its flags and the
//      entry point) with the shipped entities.yaml; time from spawning node to the "listening"
//      log line and to the first /map.svg; cold (empty compile cache) and warm.
//   B. RSS at steady state by number of entities (10 s interval), with checks/s and CPU/check,
//      and at 1,000 and 20,000 entities CPU per request of the bare paced undici loop (bench/bare-loop.ts,
//      capacity.ts's ceiling) at the same rate, in the same conditions, and the ratio of the two.
//   C. memory after bursts: a 5,000-entity reload, 1,000 SSE clients, a 20 MB config rejected;
//      how long RSS takes to come back within 10 % of the steady figure (at most one minute),
//      with the JS heap and external memory before and after (what V8 holds against the RSS).
//   D. the small-board profile: B again with the service pinned to one core (taskset -c 0) and
//      its heap capped at 256 MB (--max-old-space-size=256).
// Flags: --full (adds 20,000 entities, and 5,000 on the small board), --pi (D only), --no-bursts
// (skip C), --no-sse (C without the SSE burst: a checkout from before the per-client limit holds
// gigabytes in it), --parts A,B,C,D (only those), --sizes 1000,20000 (part B at these sizes only), --max-in-flight N, --malloc jemalloc, --root DIR (measure another checkout of pulsemap, e.g. an older commit, with this
// script: the bare loop is this checkout's, so the ratios compare like with like).
// `npm run bench -- footprint --full` gives every table of the memory and start-up figures in
// about ten minutes.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { BENCH_COMPILE_CACHE, FULL, JEMALLOC_CONF, jemallocPath, fmt, mb, median, sleep, startHelper, table, targetBases, tempDir, writeEntities } from './common.ts';
import type { Helper } from './common.ts';

const argAfter = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(argAfter('--root') ?? join(HERE, '..'));
const PARTS = (argAfter('--parts') ?? (process.argv.includes('--pi') ? 'D' : 'A,B,C,D')).split(',')
  .filter((p) => p !== 'C' || !process.argv.includes('--no-bursts'));
const INTERVAL = 10;
/** `--max-in-flight N`: the estates set checks.max_in_flight (default: the service's own). */
const MAX_IN_FLIGHT = argAfter('--max-in-flight');
const extraYaml = MAX_IN_FLIGHT ? `checks:\n  max_in_flight: ${Number(MAX_IN_FLIGHT)}` : undefined;
const sizesArg = argAfter('--sizes')?.split(',').map(Number);
const SIZES = sizesArg ?? (FULL ? [0, 10, 100, 1_000, 20_000] : [0, 10, 100, 1_000]);
const PI_SIZES = FULL ? [10, 1_000, 5_000] : [10, 1_000];
const windowMs = 20_000;
/** Sizes at which the bare loop is measured too (below, one request a second says little). */
const BARE_SIZES = [1_000, 20_000];
const SETTLE_MS = 60_000;
const BURST_BEFORE_MS = 10_000;
/** How long a busy service (20,000 entities on a loaded machine) may take to answer the bench. */
const ANSWER_MS = 300_000;
const PI = { cpus: '0', heapFlag: '--max-old-space-size=256' };

/** The production command of the checkout: `node FLAGS ENTRY serve` from its start script. */
const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');
const [, ...afterNode] = start;
const entryAt = afterNode.findIndex((a) => !a.startsWith('-'));
const FLAGS = afterNode.slice(0, entryAt);
const ENTRY = join(ROOT, afterNode[entryAt]!);
const LAUNCHER = ENTRY.endsWith('.js');
/** Without the launcher there is no compile cache in production: none in the bench either. */
const cacheEnv = (dir: string): NodeJS.ProcessEnv => (LAUNCHER ? { NODE_COMPILE_CACHE: dir } : { NODE_DISABLE_COMPILE_CACHE: '1' });

const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) * 1024;
};
/** RSS split into anonymous memory and pages of files (the node binary's code, mostly). */
const rssSplitOf = (pid: number): string => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return `${mb(kb('RssAnon'))} / ${mb(kb('RssFile'))}`;
};
/** user + system CPU ms of a process (clock ticks of 10 ms). */
const cpuOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// ---- A. start-up ---------------------------------------------------------------------------

interface Startup { listenMs: number; mapMs: number; cpuListenMs: number; cpuMapMs: number; rssListen: number; rssMap: number }

async function startOnce(cacheDir: string, pi: boolean): Promise<Startup> {
  const dir = tempDir('startup');
  const cmd = pi ? 'taskset' : process.execPath;
  const args = [...(pi ? ['-c', PI.cpus, process.execPath, PI.heapFlag] : []), ...FLAGS, ENTRY, 'serve',
    '--config', join(ROOT, 'entities.yaml'), '--port', '0', '--host', '127.0.0.1', '--data', join(dir.path, 'data')];
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'info', ...cacheEnv(cacheDir) } });
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'pulsemap listening') resolveUrl(entry.url!);
        } catch { /* not a log line */ }
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const listenMs = performance.now() - t0;
    const cpuListenMs = cpuOf(child.pid!);
    const rssListen = rssOf(child.pid!);
    const res = await fetch(`${url}/map.svg`);
    const svg = await res.text();
    if (res.status !== 200 || !svg.includes('<svg')) throw new Error(`/map.svg answered ${res.status}`);
    return { listenMs, mapMs: performance.now() - t0, cpuListenMs, cpuMapMs: cpuOf(child.pid!), rssListen, rssMap: rssOf(child.pid!) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    dir.remove();
  }
}

async function startup(pi: boolean): Promise<string> {
  const rows: (string | number)[][] = [];
  const cache = tempDir('compile-cache');
  try {
    const runs: { name: string; r: Startup[] }[] = [{ name: 'first start (empty compile cache)', r: [await startOnce(join(cache.path, 'c'), pi)] }];
    const warm: Startup[] = [];
    for (let i = 0; i < 5; i++) warm.push(await startOnce(join(cache.path, 'c'), pi));
    runs.push({ name: 'later starts (median of 5)', r: warm });
    for (const { name, r } of runs) {
      const m = (k: keyof Startup) => median(r.map((s) => s[k]));
      rows.push([LAUNCHER ? name : `${name.replace(/ \(.*\)/, '')} (no compile cache)`,
        fmt(m('listenMs'), 0), fmt(m('cpuListenMs'), 0), mb(m('rssListen')), fmt(m('mapMs'), 0), fmt(m('cpuMapMs'), 0), mb(m('rssMap'))]);
    }
  } finally {
    cache.remove();
  }
  return table(['start', 'listening (ms after spawn)', 'CPU ms to listening', 'RSS listening', 'first /map.svg (ms after spawn)', 'CPU ms to first map', 'RSS after first map'], rows);
}

// ---- B/D. steady state -----------------------------------------------------------------------

interface Window { durationMs: number; cpuMs: number; results: number; lateP99: number; peakRss: number }
interface BareWindow { durationMs: number; cpuMs: number; done: number; failed: number }

/**
 * `--malloc jemalloc`: the services run with jemalloc preloaded (Debian's libjemalloc2), its
 * freed pages given back after a second, as the Docker image runs them.
 */
const MALLOC_ENV: NodeJS.ProcessEnv = argAfter('--malloc') === 'jemalloc' ? jemallocEnv() : {};
function jemallocEnv(): NodeJS.ProcessEnv {
  const path = jemallocPath();
  if (path === null) throw new Error('--malloc jemalloc: libjemalloc2 is not installed (apt-get install libjemalloc2)');
  return { LD_PRELOAD: path, MALLOC_CONF: JEMALLOC_CONF };
}

function serviceHelper(config: string, data: string, pi: boolean): Promise<Helper> {
  return startHelper(join(ROOT, 'bench/pulsemap-child.ts'), [config, data], { ...cacheEnv(BENCH_COMPILE_CACHE), ...MALLOC_ENV },
    pi ? { nodeFlags: [PI.heapFlag, ...FLAGS], cpus: PI.cpus } : { nodeFlags: FLAGS });
}

/** Mean and peak RSS sampled from outside every second over `ms`. */
async function sampleRss(pid: number, ms: number): Promise<{ mean: number; peak: number; last: number }> {
  const samples: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    samples.push(rssOf(pid));
    await sleep(1000);
  }
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, peak: Math.max(...samples), last: samples.at(-1)! };
}

async function steadyRow(n: number, pi: boolean, baseUrl: readonly string[]): Promise<(string | number)[]> {
  const dir = tempDir('footprint');
  try {
    const config = writeEntities(dir.path, { count: n, interval: INTERVAL, baseUrl, shape: 'graph', extraYaml });
    const pm = await serviceHelper(config, join(dir.path, 'data'), pi);
    let rss: { mean: number; peak: number };
    let win: Window;
    try {
      await sleep(INTERVAL * 1000 + 2000);
      await pm.ask('windowStart', {}, ANSWER_MS);
      rss = await sampleRss(pm.child.pid!, windowMs);
      win = await pm.ask<Window>('windowEnd', {}, ANSWER_MS);
    } finally {
      await pm.stop();
    }
    // After the service has stopped: the two never share the CPU.
    const bare = BARE_SIZES.includes(n) ? await bareLoop(n, pi, baseUrl) : null;
    const ideal = n / INTERVAL;
    const achieved = win.results / (win.durationMs / 1000);
    const perCheck = win.cpuMs / win.results;
    return [fmt(n, 0), mb(rss.mean), mb(Math.max(rss.peak, win.peakRss)),
      n === 0 ? '-' : `${fmt(achieved, 1)} / ${fmt(ideal, 0)}`,
      n === 0 ? '-' : fmt(win.lateP99, 0),
      `${fmt((100 * win.cpuMs) / win.durationMs, 1)}%`,
      win.results === 0 ? '-' : fmt(perCheck, 3),
      bare ? `${fmt(bare.perRequest, 3)} (${fmt(bare.rate, 0)}/s, ${bare.failed} failed)` : '-',
      bare && win.results > 0 ? `${fmt(perCheck / bare.perRequest, 2)}×` : '-'];
  } finally {
    dir.remove();
  }
}

async function steady(sizes: readonly number[], pi: boolean, baseUrl: readonly string[]): Promise<string> {
  const rows: (string | number)[][] = [];
  // One size at a time: on the one-core profile every service would share that core.
  for (const n of sizes) {
    // A size that cannot be measured (a service too slow to answer on a loaded machine) gets a
    // row saying so, and the others are still measured.
    try {
      rows.push(await steadyRow(n, pi, baseUrl));
    } catch (err) {
      rows.push([fmt(n, 0), `not measured: ${String(err instanceof Error ? err.message : err)}`, '', '', '', '', '', '', '']);
    }
  }
  return table(['entities', 'RSS (mean)', 'RSS (peak)', 'checks/s (ideal)', 'lateness p99 (ms)', 'CPU (% of one core)', 'CPU ms/check',
    'bare loop CPU ms/request', 'against the bare loop'], rows);
}

/** The bare paced undici loop at the rate of `n` entities, measured like the service. */
async function bareLoop(n: number, pi: boolean, baseUrl: readonly string[]): Promise<{ perRequest: number; rate: number; failed: number }> {
  const bare = await startHelper(join(HERE, 'bare-loop.ts'), [baseUrl.join(','), String(n), String(INTERVAL)], {}, pi ? { cpus: PI.cpus } : {});
  try {
    await sleep(INTERVAL * 1000 + 2000);
    await bare.ask('windowStart', {}, ANSWER_MS);
    await sleep(windowMs);
    const w = await bare.ask<BareWindow>('windowEnd', {}, ANSWER_MS);
    return { perRequest: w.cpuMs / w.done, rate: w.done / (w.durationMs / 1000), failed: w.failed };
  } finally {
    await bare.stop();
  }
}

// ---- C. bursts -------------------------------------------------------------------------------

interface Health { entities: number; config: { error: string[] | null } }

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()) as Health;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  // A reused keep-alive connection the server has just closed fails once; ask again.
  while (!(await ok().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** A config of `n` entities that fails validation at its very end, padded to about `bytes`. */
function rejectedConfig(file: string, bytes: number, baseUrl: readonly string[]): void {
  const lines = ['entities:'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const entry = `  r${i}:\n    type: api\n    url: ${baseUrl[i % baseUrl.length]}/e/${i}\n    interval: 10\n`;
    lines.push(entry);
    size += entry.length;
  }
  lines.push('  broken:\n    type: api\n    interval: -1\n');
  writeFileSync(file, lines.join(''));
}

interface Memory { rss: number; heapUsed: number; heapTotal: number; external: number }

const heapOf = (m: Memory): string => `${mb(m.heapUsed)} / ${mb(m.heapTotal)} / ${mb(m.external)}`;

/**
 * Each burst in a service of its own at 1,000 entities (so one burst's leftovers are not the
 * next one's baseline): steady RSS before, the peak, and how long RSS takes to come back within
 * 10 % of before (sampled every second, at most SETTLE_MS).
 */
async function burst(baseUrl: readonly string[], name: string, run: (ctx: { url: string; config: string; restore(): Promise<void> }) => Promise<string | void>): Promise<(string | number)[]> {
  try {
    return await measureBurst(baseUrl, name, run);
  } catch (err) {
    return [name, `not measured: ${String(err instanceof Error ? err.message : err)}`, '', '', '', '', '', '', '', ''];
  }
}

async function measureBurst(baseUrl: readonly string[], name: string, run: (ctx: { url: string; config: string; restore(): Promise<void> }) => Promise<string | void>): Promise<(string | number)[]> {
  const n = 1_000;
  const dir = tempDir('bursts');
  try {
    const data = join(dir.path, 'data');
    mkdirSync(data, { recursive: true });
    const config = writeEntities(dir.path, { count: n, interval: INTERVAL, baseUrl, shape: 'graph', extraYaml });
    const original = readFileSync(config, 'utf8');
    const pm = await serviceHelper(config, data, false);
    const url = pm.ready.url as string;
    const pid = pm.child.pid!;
    try {
      await sleep(INTERVAL * 1000 + 2000);
      const restore = async () => {
        writeFileSync(config, original);
        await until('the original configuration', async () => {
          const h = await health(url);
          return h.entities === n && h.config.error === null;
        });
      };
      const before = await sampleRss(pid, BURST_BEFORE_MS);
      const splitBefore = rssSplitOf(pid);
      const heapBefore = await pm.ask<Memory>('gc', {}, ANSWER_MS);
      let peak = before.peak;
      const watch = setInterval(() => { peak = Math.max(peak, rssOf(pid)); }, 250);
      let note: string | void;
      try {
        note = await run({ url, config, restore });
      } finally {
        clearInterval(watch);
      }
      const t0 = Date.now();
      let rss = rssOf(pid);
      let backAfter: number | null = null;
      while (Date.now() - t0 < SETTLE_MS) {
        rss = rssOf(pid);
        peak = Math.max(peak, rss);
        if (rss <= 1.1 * before.mean) {
          backAfter = Date.now() - t0;
          break;
        }
        await sleep(1000);
      }
      const heapAfter = await pm.ask<Memory>('gc', {}, ANSWER_MS);
      return [note ? `${name} (${note})` : name, mb(before.mean), mb(peak), mb(rss), `${fmt(100 * (rss / before.mean - 1), 1)}%`,
        backAfter === null ? `**no** (not within ${SETTLE_MS / 1000} s)` : `yes, after ${fmt(backAfter / 1000, 0)} s`,
        heapOf(heapBefore), heapOf(heapAfter), splitBefore, rssSplitOf(pid)];
    } finally {
      await pm.stop();
    }
  } finally {
    dir.remove();
  }
}

async function bursts(baseUrl: readonly string[]): Promise<string> {
  const rows: (string | number)[][] = [];
  rows.push(await burst(baseUrl, 'reload to 5,000 entities and back to 1,000', async ({ url, config, restore }) => {
    const dirBig = tempDir('bursts-big');
    try {
      const big = readFileSync(writeEntities(dirBig.path, { count: 5_000, interval: INTERVAL, baseUrl, shape: 'graph' }), 'utf8');
      writeFileSync(config, big);
      await until('the 5,000-entity reload', async () => (await health(url)).entities === 5_000);
      await sleep(INTERVAL * 1000);
    } finally {
      dirBig.remove();
    }
    await restore();
  }));
  if (!process.argv.includes('--no-sse')) rows.push(await burst(baseUrl, '1,000 SSE clients connect, stay 5 s, leave', async ({ url }) => {
    const clients = Array.from({ length: 1_000 }, () => new AbortController());
    // A thousand at once can overflow the listen backlog: the ones reset are counted.
    const connected = await Promise.allSettled(clients.map(async (c) => {
      const res = await fetch(`${url}/events`, { signal: c.signal });
      await res.body!.getReader().read();
    }));
    await sleep(5_000);
    for (const c of clients) c.abort();
    return `${connected.filter((r) => r.status === 'fulfilled').length} connected`;
  }));
  rows.push(await burst(baseUrl, 'a 20 MB configuration rejected, then the good one back', async ({ url, config, restore }) => {
    rejectedConfig(config, 20 * 1024 * 1024, baseUrl);
    await until('the rejection', async () => (await health(url)).config.error !== null);
    await restore();
  }));
  return table(['burst (1,000 entities, 10 s interval; a fresh service each)', `RSS before (mean of ${BURST_BEFORE_MS / 1000} s)`, 'peak',
    'RSS at the end', 'against before', `back within 10 % (≤ ${SETTLE_MS / 1000} s)`, 'JS heap used / committed / external before', '… at the end',
    'RSS anonymous / file pages before', '… at the end'], rows);
}

// ---- run ------------------------------------------------------------------------------------

const target = await startHelper('./target-server.ts');
const baseUrl = targetBases(target.ready);
const shown = ROOT === resolve(fileURLToPath(new URL('..', import.meta.url))) ? '' : ` (checkout ${ROOT})`;
// Each table is printed as soon as it is measured: a late failure keeps the earlier ones.
const print = (...parts: string[]): void => console.log(parts.join('\n'));
try {
  // The bench's own cache, warmed by one start so no service below compiles TypeScript.
  rmSync(BENCH_COMPILE_CACHE, { recursive: true, force: true });
  const warm = tempDir('warm');
  try {
    await (await serviceHelper(writeEntities(warm.path, { count: 1, interval: 3600, baseUrl }), join(warm.path, 'data'), false)).stop();
  } finally {
    warm.remove();
  }
  const command = `\`node ${FLAGS.join(' ')} ${ENTRY.slice(ROOT.length + 1)} serve\``;
  if (PARTS.includes('A')) print(`### 9. Footprint${shown}: start-up (${command}, the shipped entities.yaml; load average before: ${loadavg()})\n`, await startup(false), '');
  if (PARTS.includes('B')) print(`Steady state (${INTERVAL} s interval, RSS sampled every second over ${windowMs / 1000} s after the first interval; load average before: ${loadavg()})\n`, await steady(SIZES, false, baseUrl), '');
  if (PARTS.includes('C')) print(`Memory after bursts (load average before: ${loadavg()})\n`, await bursts(baseUrl), '');
  if (PARTS.includes('D')) {
    print(`### 9. Footprint${shown}, small-board profile: one core (taskset -c ${PI.cpus}), ${PI.heapFlag} (load average before: ${loadavg()})\n`,
      await startup(true), '');
    print(`Small board, steady state (load average before: ${loadavg()})\n`, await steady(PI_SIZES, true, baseUrl), '');
  }
  print(`(load average at the end: ${loadavg()})`);
} finally {
  await target.stop();
}
