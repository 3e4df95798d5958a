// The ceiling for an api check: a bare undici loop that opens a fresh connection per request
// (like a check does), reads the body and closes, in a process of its own. It is paced the way
// the monitor paces checks, one timer per target re-armed every interval from its planned start
// and fired on the same 100 ms grid, so both pay the same timer and wake-up costs and differ
// only in what a check does.
// Usage: bare-loop.ts BASE_URL[,BASE_URL...] TARGETS INTERVAL_SECONDS (target i uses the i-th base, modulo)
import { Client } from 'undici';
import { cpuMs, serveRequests, systemCpuMs } from './common.ts';

const [base, targetsArg, intervalArg] = process.argv.slice(2);
const targets = Number(targetsArg);
const intervalMs = Number(intervalArg) * 1000;
const origins = base!.split(',').map((b) => new URL(b).origin);

let done = 0;
let failed = 0;
let stopped = false;
let win = { at: Date.now(), cpu: cpuMs(), sys: systemCpuMs(), done: 0, failed: 0 };
const timers = new Set<NodeJS.Timeout>();

async function once(i: number): Promise<void> {
  const client = new Client(origins[i % origins.length]!, { pipelining: 0 });
  try {
    const { statusCode, body } = await client.request({ path: `/e/${i}`, method: 'GET' });
    await body.text();
    if (statusCode === 200) done += 1;
    else failed += 1;
  } catch {
    failed += 1;
  } finally {
    await client.destroy();
  }
}

/** The monitor's scheduler grid (src/monitor/scheduler.ts): due timers share one wake-up. */
const GRID_MS = 100;

function arm(i: number, at: number): void {
  const timer = setTimeout(() => {
    timers.delete(timer);
    void once(i).then(() => { if (!stopped) arm(i, at + intervalMs); });
  }, Math.max(0, Math.ceil(at / GRID_MS) * GRID_MS - Date.now()));
  timers.add(timer);
}

// First requests spread over one interval, like the monitor's first checks.
const begin = Date.now();
for (let i = 0; i < targets; i++) arm(i, begin + Math.floor(Math.random() * intervalMs));

process.send!({ ok: true });

serveRequests(
  {
    windowStart: () => {
      win = { at: Date.now(), cpu: cpuMs(), sys: systemCpuMs(), done, failed };
      return {};
    },
    windowEnd: () => ({
      durationMs: Date.now() - win.at,
      cpuMs: cpuMs() - win.cpu,
      sysMs: systemCpuMs() - win.sys,
      done: done - win.done,
      failed: failed - win.failed,
      rss: process.memoryUsage.rss(),
    }),
  },
  async () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
  },
);
