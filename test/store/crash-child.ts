// Run by the crash tests of both engines: writes results as fast as it can until it is killed,
// printing after every committed flush how many results it has written in total, one per line.
// Usage: node test/store/crash-child.ts sqlite DIR | postgres URL

import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { result, state } from './contract.ts';

const [engine, where] = process.argv.slice(2);
if (where === undefined || (engine !== 'sqlite' && engine !== 'postgres')) throw new Error('usage: crash-child.ts sqlite DIR | postgres URL');

const ENTITIES = ['crash_a', 'crash_b', 'crash_c'];
const BATCH = 500;
const START = Date.UTC(2026, 0, 1);

// Never flushed by the timer: only the explicit flushes below commit, so what was reported is
// exactly what was committed.
const options = { flushIntervalMs: 3_600_000, maxBatch: 1_000_000 };
const store = engine === 'sqlite' ? await openSqliteStore({ dir: where, ...options }) : await openPostgresStore({ url: where, ...options });
const states = await store.loadStates();
const counts = new Map(ENTITIES.map((name) => {
  const s = states.get(name);
  return [name, { ok: s?.success_count ?? 0, fail: s?.fail_count ?? 0 }];
}));
let total = [...counts.values()].reduce((sum, c) => sum + c.ok + c.fail, 0);

for (;;) {
  for (let i = 0; i < BATCH; i++) {
    const name = ENTITIES[total % ENTITIES.length]!;
    const c = counts.get(name)!;
    const ok = total % 7 !== 0;
    if (ok) c.ok++;
    else c.fail++;
    // Unique per entity across restarts: the time follows the entity's own count.
    const at = START + (c.ok + c.fail) * 1000;
    store.saveResult(
      result(name, at, ok ? {} : { ok: false, status: 'pending', latency_ms: null, message: 'timeout after 10 s' }),
      state(name, { success_count: c.ok, fail_count: c.fail, lastcheck: at, last_ok: ok }),
    );
    if (total % 1000 === 0) {
      store.saveTransition({ name, from: 'ok', to: 'pending', at, message: 'x', blocked_by: null, prev_since: null });
    }
    total++;
  }
  await store.flush();
  process.stdout.write(`${total}\n`);
}
