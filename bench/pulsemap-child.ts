// The whole pulsemap service (startService: store, monitor, HTTP server and whatever main.ts wires)
// in a process of its own, so its CPU time and RSS are pulsemap's alone. The parent asks for
// figures over the IPC channel: schedule lateness, checks, CPU and memory over a window.
// Usage: pulsemap-child.ts CONFIG DATA_DIR [STORE_URL]
import { readFileSync } from 'node:fs';
import { startService } from '../src/main.ts';
import { createLogger } from '../src/log.ts';
import { cpuMs, diffCpu, serveRequests, systemCpuMs, threadCpuMs } from './common.ts';

const [config, data, storeUrl] = process.argv.slice(2);

/** Lateness histogram in whole ms; the last bucket holds everything later. */
const LATE_BUCKETS = 60_000;
let late = new Uint32Array(LATE_BUCKETS);
let lateMax = 0;
let lateCount = 0;
let started = 0;
let results = 0;
let okResults = 0;
const firstResult = new Map<string, number>();
let lastFirst = 0;

let win = { at: 0, cpu: 0, sys: 0, threads: {} as Record<string, number>, peakRss: 0 };
const sampler = setInterval(() => {
  win.peakRss = Math.max(win.peakRss, process.memoryUsage.rss());
}, 250);

const t0 = Date.now();
let service: Awaited<ReturnType<typeof startService>>;
try {
  service = await startService({
    config: config!,
    data: data!,
    store: storeUrl ?? null,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'error', destination: process.stderr }),
    onCheckStart: (_name, lateMs) => {
      started += 1;
      lateCount += 1;
      late[Math.min(LATE_BUCKETS - 1, Math.floor(lateMs))]! += 1;
      if (lateMs > lateMax) lateMax = lateMs;
    },
    observers: [{
      onResult(entity, result) {
        results += 1;
        if (result.ok) okResults += 1;
        if (!firstResult.has(entity.name)) {
          firstResult.set(entity.name, Date.now());
          lastFirst = Date.now();
        }
      },
    }],
  });
} catch (err) {
  process.send!({ error: String(err) });
  process.exit(1);
}
const readyAt = Date.now();
const entities = service.monitor.config().entities.length;


function lateQuantile(q: number): number {
  const want = Math.max(1, Math.ceil(q * lateCount));
  let seen = 0;
  for (let i = 0; i < LATE_BUCKETS; i++) {
    seen += late[i]!;
    if (seen >= want) return i;
  }
  return NaN;
}

function resetWindow(): void {
  late = new Uint32Array(LATE_BUCKETS);
  lateMax = 0;
  lateCount = 0;
  started = 0;
  results = 0;
  okResults = 0;
  win = { at: Date.now(), cpu: cpuMs(), sys: systemCpuMs(), threads: threadCpuMs(), peakRss: process.memoryUsage.rss() };
}

process.send!({ url: service.url, startMs: readyAt - t0, rss: process.memoryUsage.rss(), entities });

serveRequests(
  {
    status: () => ({
      rss: process.memoryUsage.rss(),
      heapUsed: process.memoryUsage().heapUsed,
      maxRss: process.resourceUsage().maxRSS * 1024,
      entities,
      checkedOnce: firstResult.size,
      /** From the moment the service was ready to the first result of the last entity. */
      allCheckedMs: firstResult.size === entities && entities > 0 ? lastFirst - readyAt : null,
      sinceReadyMs: Date.now() - readyAt,
    }),
    /** Collects garbage first when the process runs with --expose-gc (memory probes). */
    gc: () => {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
    },
    /** Checks running, waiting, and the paced limit (src/monitor/pacer.ts). */
    load: () => ({ ...service.monitor.load() }),
    windowStart: () => {
      resetWindow();
      return {};
    },
    windowEnd: () => ({
      durationMs: Date.now() - win.at,
      cpuMs: cpuMs() - win.cpu,
      sysMs: systemCpuMs() - win.sys,
      /** Per thread name. */
      mainThread: readFileSync(`/proc/self/task/${process.pid}/comm`, 'utf8').trim(),
      threads: diffCpu(threadCpuMs(), win.threads),
      checksStarted: started,
      results,
      okResults,
      lateP50: lateQuantile(0.5),
      lateP99: lateQuantile(0.99),
      lateMax,
      peakRss: Math.max(win.peakRss, process.memoryUsage.rss()),
      rss: process.memoryUsage.rss(),
      maxRss: process.resourceUsage().maxRSS * 1024,
    }),
  },
  async () => {
    clearInterval(sampler);
    await service.close();
  },
);
