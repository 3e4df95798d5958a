// Several instances on one PostgreSQL: how long failover takes after a crash (SIGKILL) and after
// a clean stop (SIGTERM) of the instance that sends the alerts, and how many checks per second
// three instances run together, with each instance's CPU share.
//
// Usage: node bench/cluster.ts [--entities N] [--rounds N] [--lease S] [--interval S]
//   (defaults 6,000 entities on a 10 s interval, 3 rounds, lease 10 s; PGURL selects the server)
// Checks are counted where they land, at the target server: scraping /metrics (per-entity series)
// at tens of thousands of entities would cost the instances more than the checks being measured.
// The instances run as users run them: bin/pulsemap.js with the production flags and a warm
// compile cache, all three started at once.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BENCH_COMPILE_CACHE, SERVICE_NODE_FLAGS, fmt, median, sleep, startHelper, table, tempDir, withTempDatabase, writeEntities } from './common.ts';

const { values } = parseArgs({ options: { entities: { type: 'string' }, rounds: { type: 'string' }, lease: { type: 'string' }, interval: { type: 'string' } } });
const ENTITIES = Number(values.entities ?? 6_000);
const ROUNDS = Number(values.rounds ?? 3);
const LEASE = Number(values.lease ?? 10);
const INTERVAL = Number(values.interval ?? 10);
const BIN = new URL('../bin/pulsemap.js', import.meta.url).pathname;

interface Instance { id: string; child: ChildProcess; url: string; exited: Promise<void> }

function start(id: string, config: string, store: string, data: string): Promise<Instance> {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, BIN, 'serve', '--config', config, '--store', store, '--instance', id,
    '--port', '0', '--host', '127.0.0.1', '--data', join(data, id)], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'info', NODE_COMPILE_CACHE: BENCH_COMPILE_CACHE },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('pulsemap listening')) resolve({ id, child, url: JSON.parse(line).url, exited });
    });
    void exited.then(() => reject(new Error(`instance ${id} exited`)));
  });
}

const view = async (i: Instance): Promise<any> => (await fetch(`${i.url}/cluster`)).json();

async function waitFor<T>(fn: () => Promise<T | undefined>, limitMs = 600_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

/** All given instances alive, agreeing on a leader and on a split that covers every entity. */
const converged = (list: Instance[]) => waitFor(async () => {
  const views = await Promise.all(list.map(view));
  const leader = views[0].leader;
  const ok = views.every((v) => v.leader === leader && leader !== null
    && v.instances.filter((m: any) => m.alive).length === list.length
    && v.instances.reduce((n: number, m: any) => n + m.entities, 0) === ENTITIES);
  return ok ? (leader as string) : undefined;
});

/** ms until a survivor shows another live leader and the stopped one gone. */
async function failover(list: Instance[], signal: 'SIGKILL' | 'SIGTERM'): Promise<{ ms: number; leader: string }> {
  const leaderId = await converged(list);
  const victim = list.find((i) => i.id === leaderId)!;
  const survivor = list.find((i) => i !== victim)!;
  const t0 = Date.now();
  victim.child.kill(signal);
  const ms = await waitFor(async () => {
    const v = await view(survivor);
    const gone = v.instances.find((m: any) => m.id === victim.id)?.alive === false;
    return gone && v.leader !== null && v.leader !== victim.id ? Date.now() - t0 : undefined;
  });
  await victim.exited;
  return { ms, leader: victim.id };
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

interface TargetStats { requests: number; cpuMs: number }

/** Entities assigned to each instance, as the first of them sees the split. */
async function shares(list: Instance[]): Promise<Map<string, number>> {
  const v = await view(list[0]!);
  return new Map(v.instances.map((m: any) => [m.id as string, m.entities as number]));
}

const dir = tempDir('cluster');
const target = await startHelper('./target-server.ts');
try {
  await withTempDatabase(async (store) => {
    const config = writeEntities(dir.path, {
      count: ENTITIES, interval: INTERVAL, baseUrl: `http://127.0.0.1:${target.ready.port as number}`, shape: 'graph',
      extraYaml: `cluster: { name: bench, lease: ${LEASE} }`,
    });
    const ids = ['a', 'b', 'c'];
    const t0 = Date.now();
    const list: Instance[] = await Promise.all(ids.map((id) => start(id, config, store, dir.path)));
    await converged(list);
    const startMs = Date.now() - t0;

    // Throughput: one minute of steady state after every entity had its first check.
    await sleep(INTERVAL * 1000 * 2);
    const t = await target.ask<TargetStats>('stats');
    const cpu0 = list.map((i) => cpuTicks(i.child.pid!));
    const w0 = Date.now();
    await sleep(60_000);
    const t1 = await target.ask<TargetStats>('stats');
    const cpu1 = list.map((i) => cpuTicks(i.child.pid!));
    const secs = (Date.now() - w0) / 1000;
    const load = loadavg().map((l) => fmt(l, 1)).join(', ');
    const share = await shares(list);
    const pct = (ms: number) => `${fmt((ms / 1000 / secs) * 100, 0)} %`;
    const rows = list.map((i, k) => [i.id, fmt(share.get(i.id) ?? 0, 0), fmt((share.get(i.id) ?? 0) / INTERVAL, 0), pct(cpu1[k]! - cpu0[k]!)]);
    const total = (t1.requests - t.requests) / secs;
    rows.push(['all three', fmt(ENTITIES, 0), fmt(ENTITIES / INTERVAL, 0), pct(list.reduce((n, _, k) => n + cpu1[k]! - cpu0[k]!, 0))]);
    rows.push(['target server', '-', '-', pct(t1.cpuMs - t.cpuMs)]);
    console.log(`\n${fmt(ENTITIES, 0)} entities on a ${INTERVAL} s interval, three instances; start to agreed split ${fmt(startMs / 1000, 1)} s; `
      + `checks answered by the target: **${fmt(total, 0)}/s of ${fmt(ENTITIES / INTERVAL, 0)} planned (${fmt((100 * total * INTERVAL) / ENTITIES, 1)} %)** over ${fmt(secs, 0)} s; `
      + `load average (1, 5, 15 min) ${load}; ${cpus().length} cores\n`);
    console.log(table(['instance', 'entities assigned', 'planned checks/s', 'CPU (of one core)'], rows));

    const crash: number[] = [];
    const clean: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [signal, into] of [['SIGKILL', crash], ['SIGTERM', clean]] as const) {
        const { ms, leader } = await failover(list, signal);
        into.push(ms);
        list.splice(list.findIndex((i) => i.id === leader), 1, await start(leader, config, store, dir.path));
      }
    }
    console.log(`\nFailover of the leader (lease ${LEASE} s, ${ROUNDS} rounds; time from the signal until a survivor shows a new leader and the old one gone; load ${fmt(loadavg()[0]!, 1)})\n`);
    console.log(table(['stop', 'median', 'min', 'max'], [
      ['crash (SIGKILL)', `${fmt(median(crash) / 1000, 1)} s`, `${fmt(Math.min(...crash) / 1000, 1)} s`, `${fmt(Math.max(...crash) / 1000, 1)} s`],
      ['clean (SIGTERM)', `${fmt(median(clean) / 1000, 1)} s`, `${fmt(Math.min(...clean) / 1000, 1)} s`, `${fmt(Math.max(...clean) / 1000, 1)} s`],
    ]));
    for (const i of list) i.child.kill('SIGTERM');
    await Promise.all(list.map((i) => i.exited));
  });
} finally {
  await target.stop();
  dir.remove();
}
