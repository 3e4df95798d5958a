// A store that fails on demand with the errors the real engines throw, for the logic that must
// survive a store outage; the real faults (a full tmpfs, a cut connection) are in the drills.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/store/store.ts';
import { initialState } from '../../src/monitor/state.ts';

/** What node:sqlite throws when the disk is full (SQLITE_FULL). */
export function diskFullError(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });
}

/** What pg throws when the server went away under a query. */
export function connectionLostError(): Error {
  return new Error('Connection terminated unexpectedly');
}

const WRITES = new Set<keyof Store>(['flush', 'prune', 'outboxAdd', 'outboxSent', 'outboxRetry', 'outboxDrop', 'setMeta', 'close']);
const SYNC = new Set<keyof Store>(['kind', 'saveResult', 'saveState', 'saveTransition', 'backlog']);

export interface FaultyStore {
  readonly store: Store;
  /** From now on writes (`writes`, as a full disk) or every call (`all`, as a lost server) throw `error`; null heals. */
  fail(error: Error | null, scope?: 'writes' | 'all'): void;
  /** Calls that threw, by method. */
  readonly refused: Map<string, number>;
}

export function faultyStore(inner: Store): FaultyStore {
  let error: Error | null = null;
  let scope: 'writes' | 'all' = 'writes';
  const refused = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, key: keyof Store) {
      const value = target[key];
      if (typeof value !== 'function' || SYNC.has(key) || key === 'close') return value;
      return async (...args: unknown[]) => {
        if (error !== null && (scope === 'all' || WRITES.has(key))) {
          refused.set(key, (refused.get(key) ?? 0) + 1);
          throw error;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store, refused,
    fail(next, nextScope = 'writes') {
      error = next;
      scope = nextScope;
    },
  };
}

export interface SmallDisk {
  readonly dir: string;
  /** Fills the disk to the last byte. */
  fill(): void;
  /** Frees what fill() took. */
  free(): void;
  remove(): void;
}

/**
 * A 3 MB tmpfs, or the reason it cannot be mounted here (not root, no mount permission): tests
 * then skip with that reason and the faulty-store tests cover the logic.
 */
export function mountSmallDisk(sizeMb = 3): SmallDisk | string {
  const dir = mkdtempSync(join(tmpdir(), 'pulsemap-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(64 * 1024, 1);
      const fd = openSync(filler, 'a');
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      // The last partial block too.
      const fd2 = openSync(filler, 'a');
      try {
        for (;;) writeSync(fd2, Buffer.alloc(512, 1));
      } catch {
        // full
      } finally {
        closeSync(fd2);
      }
    },
    free: () => rmSync(filler, { force: true }),
    remove() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves failing results of `name` (long messages) and flushes until the store refuses: on a
 * full disk the free pages left in the file and its WAL run out within a few rounds. Returns
 * the time of the last result saved (results are at from+1, from+2, ...).
 */
export async function writeUntilRefused(store: Store, name: string, from: number): Promise<number> {
  let at = from;
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 200; i++) {
      at += 1;
      store.saveResult(
        { name, at, ok: false, status: 'error', latency_ms: null, message: `refused ${'x'.repeat(300)} ${at}` },
        initialState(name),
      );
    }
    try {
      await store.flush();
    } catch {
      return at;
    }
  }
  throw new Error('the full disk never refused a write');
}
