// Question 1, check capacity: N api entities at a 10 s interval against a local target server,
// measured over a steady window after the first interval; then the ceiling, a bare undici loop
// with a fresh connection per request at the same rate. Prints one markdown table.
import { join } from 'node:path';
import { FULL, fmt, mb, sleep, startHelper, table, targetBases, tempDir, writeEntities } from './common.ts';

const INTERVAL = 10;
const sizes = FULL ? [1_000, 10_000, 20_000] : [1_000];
const steadyMs = (FULL ? 60 : 30) * 1000;

interface Window {
  durationMs: number; cpuMs: number; sysMs: number; results: number; okResults: number;
  lateP50: number; lateP99: number; lateMax: number; peakRss: number; maxRss: number;
  threads: Record<string, number>;
  mainThread: string;
}
interface BareWindow { durationMs: number; cpuMs: number; sysMs: number; done: number; failed: number }
interface Status { allCheckedMs: number | null; checkedOnce: number; entities: number }

const target = await startHelper('./target-server.ts');
const baseUrl = targetBases(target.ready);
const rows: (string | number)[][] = [];
try {
  for (const n of sizes) {
    const dir = tempDir('capacity');
    try {
      const config = writeEntities(dir.path, { count: n, interval: INTERVAL, baseUrl, shape: 'graph' });
      const pm = await startHelper('./pulsemap-child.ts', [config, join(dir.path, 'data')]);
      let win: Window;
      let status: Status;
      try {
        // First checks are spread over one interval; give the last of them time to finish.
        await sleep(INTERVAL * 1000 + 2000);
        status = await pm.ask<Status>('status');
        await pm.ask('windowStart');
        await sleep(steadyMs);
        win = await pm.ask<Window>('windowEnd');
      } finally {
        await pm.stop();
      }

      const bare = await startHelper('./bare-loop.ts', [baseUrl.join(','), String(n), String(INTERVAL)]);
      let bw: BareWindow;
      try {
        // Same start as the monitor's window: one interval of spread first requests, then steady.
        await sleep(INTERVAL * 1000 + 2000);
        await bare.ask('windowStart');
        await sleep(steadyMs);
        bw = await bare.ask<BareWindow>('windowEnd');
      } finally {
        await bare.stop();
      }

      const ideal = n / INTERVAL;
      const achieved = win.results / (win.durationMs / 1000);
      const cpuPerCheck = win.cpuMs / win.results;
      const barePerReq = bw.cpuMs / bw.done;
      const firstRound = status.allCheckedMs === null
        ? `no: ${status.checkedOnce}/${status.entities} by ${INTERVAL + 2} s`
        : `${fmt(status.allCheckedMs / 1000, 2)} s`;
      rows.push([
        fmt(n, 0), fmt(ideal, 0),
        `${fmt(achieved, 1)} (${fmt((100 * achieved) / ideal, 1)}%)`,
        fmt(win.results - win.okResults, 0),
        `${fmt(win.lateP50, 0)} / ${fmt(win.lateP99, 0)} / ${fmt(win.lateMax, 0)}`,
        `${fmt((100 * win.cpuMs) / win.durationMs, 1)}% (main thread ${fmt((100 * (win.threads[win.mainThread] ?? 0)) / win.durationMs, 1)}%)`,
        `${fmt(cpuPerCheck, 3)} (kernel ${fmt(win.sysMs / win.results, 3)})`,
        `${fmt(barePerReq, 3)} (kernel ${fmt(bw.sysMs / bw.done, 3)}; ${fmt(bw.done / (bw.durationMs / 1000), 0)}/s, ${bw.failed} failed)`,
        `${fmt(cpuPerCheck / barePerReq, 2)}×`,
        mb(win.maxRss),
        firstRound,
      ]);
    } finally {
      dir.remove();
    }
  }
} finally {
  await target.stop();
}

console.log(`### 1. Check capacity (${INTERVAL} s interval, ${steadyMs / 1000} s steady window after the first interval)\n`);
console.log(table(
  ['entities', 'ideal checks/s', 'achieved checks/s', 'failed checks', 'lateness p50/p99/max (ms)', 'pulsemap CPU (% of one core; of which its main thread)',
    'CPU ms/check', 'bare undici CPU ms/request', 'overhead ratio', 'peak RSS', 'all checked once after'],
  rows,
));
