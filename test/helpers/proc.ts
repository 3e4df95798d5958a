// Whether a process still runs, and waiting until it does not (Linux: reads /proc).
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) counts as gone. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `pid` has exited; after `limitMs` it is sent SIGKILL (a process must not outlive its owner). */
export async function exited(pid: number, limitMs = 30_000): Promise<void> {
  for (let waited = 0; running(pid); waited += 20) {
    if (waited >= limitMs) process.kill(pid, 'SIGKILL');
    await sleep(20);
  }
}

/** Pids of the running processes in process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // It exited while we looked.
    }
  }
  return members;
}
