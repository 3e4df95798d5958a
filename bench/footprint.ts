// Question 9, footprint: how fast the service starts and how much memory it holds, run the way
// users run it, on this machine and on a small-board profile.
//   A. start-up: the production command (package.json's start script: node, its flags and the
//      entry point) with the shipped entities.yaml; time from spawning node to the "listening"
//      log line and to the first /map.svg; cold (empty compile cache) and warm.
//   B. RSS at steady state by number of entities (10 s interval), with checks/s and CPU/check.
//   C. memory after bursts: a 5,000-entity reload, 1,000 SSE clients, a 20 MB config rejected;
//      RSS one minute later against the steady figure.
//   D. the small-board profile: B again with the service pinned to one core (taskset -c 0) and
//      its heap capped at 256 MB (--max-old-space-size=256).
// Flags: --full (adds 20,000 entities and longer windows), --pi (D only), --no-bursts (skip C),
// --root DIR (measure another checkout of pulsemap, e.g. an older commit, with this script).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { BENCH_COMPILE_CACHE, FULL, fmt, mb, median, sleep, startHelper, table, tempDir, writeEntities } from './common.ts';
import type { Helper } from './common.ts';

const argAfter = (flag: string): string | undefined => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const ROOT = resolve(argAfter('--root') ?? fileURLToPath(new URL('..', import.meta.url)));
const PI_ONLY = process.argv.includes('--pi');
const BURSTS = !process.argv.includes('--no-bursts');
const INTERVAL = 10;
const SIZES = FULL ? [0, 10, 100, 1_000, 20_000] : [0, 10, 100, 1_000];
const PI_SIZES = FULL ? [10, 1_000, 5_000] : [10, 1_000];
const windowMs = (FULL ? 60 : 30) * 1000;
const SETTLE_MS = 60_000;
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

function serviceHelper(config: string, data: string, pi: boolean): Promise<Helper> {
  return startHelper(join(ROOT, 'bench/pulsemap-child.ts'), [config, data], cacheEnv(BENCH_COMPILE_CACHE),
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

async function steady(sizes: readonly number[], pi: boolean, baseUrl: string): Promise<string> {
  const rows: (string | number)[][] = [];
  // One size at a time: on the one-core profile every service would share that core.
  for (const n of sizes) {
    const dir = tempDir('footprint');
    try {
      const config = writeEntities(dir.path, { count: n, interval: INTERVAL, baseUrl, shape: 'graph' });
      const pm = await serviceHelper(config, join(dir.path, 'data'), pi);
      try {
        await sleep(INTERVAL * 1000 + 2000);
        await pm.ask('windowStart');
        const rss = await sampleRss(pm.child.pid!, windowMs);
        const win = await pm.ask<Window>('windowEnd');
        const ideal = n / INTERVAL;
        const achieved = win.results / (win.durationMs / 1000);
        rows.push([fmt(n, 0), mb(rss.mean), mb(Math.max(rss.peak, win.peakRss)),
          n === 0 ? '-' : `${fmt(achieved, 1)} / ${fmt(ideal, 0)}`,
          n === 0 ? '-' : fmt(win.lateP99, 0),
          `${fmt((100 * win.cpuMs) / win.durationMs, 1)}%`,
          win.results === 0 ? '-' : fmt(win.cpuMs / win.results, 3)]);
      } finally {
        await pm.stop();
      }
    } finally {
      dir.remove();
    }
  }
  return table(['entities', 'RSS (mean)', 'RSS (peak)', 'checks/s (ideal)', 'lateness p99 (ms)', 'CPU (% of one core)', 'CPU ms/check'], rows);
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
function rejectedConfig(file: string, bytes: number, baseUrl: string): void {
  const lines = ['entities:'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const entry = `  r${i}:\n    type: api\n    url: ${baseUrl}/e/${i}\n    interval: 10\n`;
    lines.push(entry);
    size += entry.length;
  }
  lines.push('  broken:\n    type: api\n    interval: -1\n');
  writeFileSync(file, lines.join(''));
}

async function bursts(baseUrl: string): Promise<string> {
  const n = 1_000;
  const dir = tempDir('bursts');
  const rows: (string | number)[][] = [];
  try {
    const data = join(dir.path, 'data');
    mkdirSync(data, { recursive: true });
    const config = writeEntities(dir.path, { count: n, interval: INTERVAL, baseUrl, shape: 'graph' });
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
      const burst = async (name: string, run: () => Promise<void>) => {
        const before = await sampleRss(pid, 20_000);
        let peak = before.peak;
        const watch = setInterval(() => { peak = Math.max(peak, rssOf(pid)); }, 250);
        try {
          await run();
        } finally {
          clearInterval(watch);
        }
        const after = await sampleRss(pid, SETTLE_MS);
        const back = after.last / before.mean;
        rows.push([name, mb(before.mean), mb(Math.max(peak, after.peak)), mb(after.last), `${fmt(100 * (back - 1), 1)}%`, back <= 1.1 ? 'yes' : '**no**']);
      };

      await burst('reload to 5,000 entities and back to 1,000', async () => {
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
      });

      let sseConnected = 0;
      await burst('1,000 SSE clients connect, stay 5 s, leave', async () => {
        const clients = Array.from({ length: 1_000 }, () => new AbortController());
        // A thousand at once can overflow the listen backlog: the ones reset are counted.
        const connected = await Promise.allSettled(clients.map(async (c) => {
          const res = await fetch(`${url}/events`, { signal: c.signal });
          await res.body!.getReader().read();
        }));
        sseConnected = connected.filter((r) => r.status === 'fulfilled').length;
        await sleep(5_000);
        for (const c of clients) c.abort();
      });
      rows.at(-1)![0] += ` (${sseConnected} connected)`;

      await burst('a 20 MB configuration rejected, then the good one back', async () => {
        rejectedConfig(config, 20 * 1024 * 1024, baseUrl);
        await until('the rejection', async () => (await health(url)).config.error !== null);
        await restore();
      });
    } finally {
      await pm.stop();
    }
  } finally {
    dir.remove();
  }
  return table(['burst (1,000 entities, 10 s interval)', 'RSS before (mean of 20 s)', 'peak', `RSS ${SETTLE_MS / 1000} s after`, 'against before', 'within 10 %'], rows);
}

// ---- run ------------------------------------------------------------------------------------

const target = await startHelper('./target-server.ts');
const baseUrl = `http://127.0.0.1:${target.ready.port as number}`;
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
  if (!PI_ONLY) {
    print(`### 9. Footprint${shown}: start-up (${command}, the shipped entities.yaml; load average before: ${loadavg()})\n`, await startup(false), '');
    print(`Steady state (${INTERVAL} s interval, RSS sampled every second over ${windowMs / 1000} s after the first interval; load average before: ${loadavg()})\n`, await steady(SIZES, false, baseUrl), '');
    if (BURSTS) print(`Memory after bursts (load average before: ${loadavg()})\n`, await bursts(baseUrl), '');
  }
  print(`### 9. Footprint${shown}, small-board profile: one core (taskset -c ${PI.cpus}), ${PI.heapFlag} (load average before: ${loadavg()})\n`,
    await startup(true), '');
  print(await steady(PI_SIZES, true, baseUrl), '');
} finally {
  await target.stop();
}
