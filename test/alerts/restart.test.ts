// Crashes: a process killed (SIGKILL) between writing an alert and getting it accepted, and one
// killed between writing the bookkeeping and the outbox. Restarted, each message arrives once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { save } from '../../src/alerts/bookkeeping.ts';
import { EMPTY_BOOKKEEPING } from '../../src/alerts/policy.ts';
import { apiEntity } from '../helpers/entities.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { tempStore, telegramConfig } from './helpers.ts';
import { startRig } from './rig.ts';

const CHILD = fileURLToPath(new URL('./restart-child.ts', import.meta.url));

let fake: FakeTelegram;
let target: Target;
before(async () => {
  fake = await startFakeTelegram();
  target = await startTarget(503, 'down');
});
after(async () => {
  await fake.close();
  await target.close();
});

/** Runs the child until it prints `line`; returns it still running. */
async function runChild(mode: string, dir: string, line: string) {
  const child = spawn(process.execPath, [CHILD, mode, dir, fake.apiRoot, target.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(line)) resolve();
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before "${line}": ${err}`)));
  });
  return { child, exited };
}

test('killed while the alert is being sent, restarted: it arrives exactly once', async () => {
  const temp = await tempStore();
  await temp.store.close();
  try {
    fake.requests.length = 0;
    fake.fallback = 'hang';
    const first = await runChild('down', temp.dir, 'queued');
    await fake.waitFor(() => fake.requests.length === 1, 'the send in flight');
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(fake.delivered().length, 0);

    fake.fallback = 'ok';
    const second = await runChild('deliver', temp.dir, 'delivered');
    assert.equal(await second.exited, 0);
    const third = await runChild('deliver', temp.dir, 'delivered');
    assert.equal(await third.exited, 0);
    assert.equal(fake.delivered().length, 1);
    assert.match(fake.delivered()[0]!.params.text!, /^🔴 <b>shop<\/b> is down\nexpected .*503/);
  } finally {
    temp.remove();
  }
});

test('killed after the bookkeeping was written but before the outbox: the journal is replayed once', async () => {
  const temp = await tempStore();
  fake.requests.length = 0;
  const message = { channel: 'telegram', key: 'shop:down:1:telegram', payload: JSON.stringify({ text: 'from the journal' }), created_at: Date.UTC(2026, 10, 21, 6) };
  // What a crash between the two writes leaves behind: the bookkeeping says told, the outbox is empty.
  await save(temp.store, { bookkeeping: { ...EMPTY_BOOKKEEPING, announced: { shop: { since: 1, reminded_at: 1 } } }, pending: [message] });
  const entity = apiEntity('shop', target.url, [], { failure_threshold: 1, interval: 3600 });
  for (let run = 0; run < 2; run++) {
    const r = await startRig([entity], { telegram: telegramConfig(fake.apiRoot) }, { temp });
    await r.alerts.idle();
    await r.monitor.stop();
    await r.alerts.close();
  }
  await temp.store.close();
  temp.remove();
  assert.deepEqual(fake.delivered().map((d) => d.params.text), ['from the journal']);
});
