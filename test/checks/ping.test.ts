// ping check: the real system ping against 127.0.0.1 and against a silent host in a private
// network namespace, plus stand-in `ping` programs for what neither can produce (an unreachable
// report, a ping that hangs) and to see the arguments the check passes.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { runCheck } from '../../src/checks/index.ts';
import { replyWaitMs } from '../../src/checks/ping.ts';
import type { CheckOutcome } from '../../src/types.ts';
import { pingEntity } from '../helpers/entities.ts';

/**
 * Allowed lateness of a check past its timeout: runCheck's 200 ms grace plus the timer delays of
 * a loaded machine. The programs that hang wait far longer, so the bound still tells them apart.
 */
const MARGIN_MS = 1500;

async function timed(check: Promise<CheckOutcome>): Promise<[CheckOutcome, number]> {
  const started = performance.now();
  const outcome = await check;
  return [outcome, performance.now() - started];
}

describe('ping check, real ping', () => {
  for (const host of ['127.0.0.1', 'localhost']) {
    it(`${host} answers`, async () => {
      const outcome = await runCheck(pingEntity('lo', [], { host, timeout: 2 }));
      assert.equal(outcome.ok, true, outcome.message);
      assert.equal(outcome.degraded, false);
      assert.equal(typeof outcome.latency_ms, 'number');
      assert.match(outcome.message, /^reply in \d+(\.\d+)? ms$/);
      assert.equal(outcome.extra.packet_loss, 0);
    });
  }

  it('leaves process.env.LANG as it was, set or unset', async () => {
    const saved = process.env.LANG;
    try {
      process.env.LANG = 'de_DE.UTF-8';
      await runCheck(pingEntity('lo', [], { timeout: 2 }));
      assert.equal(process.env.LANG, 'de_DE.UTF-8');
      delete process.env.LANG;
      await runCheck(pingEntity('lo', [], { timeout: 2 }));
      assert.equal(Object.hasOwn(process.env, 'LANG'), false);
    } finally {
      if (saved === undefined) delete process.env.LANG;
      else process.env.LANG = saved;
    }
  });

  it('refuses a host that would become an option', async () => {
    const outcome = await runCheck(pingEntity('bad', [], { host: '-f', timeout: 1 }));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'invalid host']);
  });

});

/**
 * A host that never answers, with the real ping: a private network namespace (unshare -n, so
 * nothing leaves it) holds a veth pair whose far end has no address, and a static neighbour
 * entry sends the echo requests there, where they vanish.
 */
describe('ping check, a silent host in a private network namespace', () => {
  const setup = [
    'ip link set lo up',
    'ip link add pm0 type veth peer name pm1',
    'ip addr add 198.51.100.1/24 dev pm0',
    'ip link set pm0 up', 'ip link set pm1 up',
    'ip neigh add 198.51.100.2 lladdr 02:00:00:00:00:02 dev pm0',
  ].join(' && ');
  const child = join(import.meta.dirname, 'netns-ping-child.ts');

  // 3 s: ping waits 2.25 s for a reply and has 0.75 s to report, which a loaded machine needs.
  it('fails within the timeout with 100% packet loss', async (t) => {
    const probe = spawnSync('unshare', ['-n', 'sh', '-c', setup], { encoding: 'utf8' });
    if (probe.status !== 0) return t.skip(`cannot make a network namespace here: ${probe.stderr.trim() || probe.error}`);
    const run = spawnSync('unshare', ['-n', 'sh', '-c', `${setup} && exec "$0" "$1" 198.51.100.2 3`, process.execPath, child], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const { outcome, ms } = JSON.parse(run.stdout) as { outcome: CheckOutcome; ms: number };
    assert.equal(outcome.ok, false);
    assert.equal(outcome.message, '100% packet loss');
    assert.equal(outcome.extra.packet_loss, 100);
    assert.ok(ms < 3000 + MARGIN_MS, `took ${ms} ms`);
  });
});

/**
 * Stand-ins for the system `ping`, found first on PATH (the package runs `ping` by name).
 * They print what iputils prints for a silent or unreachable host, or hang past every timeout,
 * and log their arguments so the test sees what the check asked for.
 */
const FAKES = {
  silent: `sleep 0.2
echo "PING $LAST ($LAST) 56(84) bytes of data."
echo ""
echo "--- $LAST ping statistics ---"
echo "1 packets transmitted, 0 received, 100% packet loss, time 0ms"
exit 1`,
  unreachable: `echo "PING $LAST ($LAST) 56(84) bytes of data."
echo "From 127.0.0.1 icmp_seq=1 Destination Host Unreachable"
echo ""
echo "--- $LAST ping statistics ---"
echo "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms"
exit 1`,
  hang: 'exec sleep 4',
} as const;

describe('ping check, stand-in ping programs', () => {
  let dir: string;
  const savedPath = process.env.PATH;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulsemap-fakeping-'));
  });
  after(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  async function useFake(kind: keyof typeof FAKES): Promise<string> {
    const bin = join(dir, kind);
    const log = join(dir, `${kind}.args`);
    await mkdir(bin, { recursive: true });
    // printf, not echo: sh's echo would swallow ping's own `-n`.
    await writeFile(join(bin, 'ping'), `#!/bin/sh\nprintf '%s ' "$@" > '${log}'\nfor LAST; do :; done\n${FAKES[kind]}\n`);
    await chmod(join(bin, 'ping'), 0o755);
    process.env.PATH = `${bin}${delimiter}${savedPath}`;
    return log;
  }

  // The stand-ins that answer get a timeout that a slow start of sh on a loaded machine cannot
  // reach; the one that hangs (4 s) a short one, which the check must not outlast by much.
  const cases = [
    { kind: 'silent', timeout: 3, message: '100% packet loss', loss: 100 },
    { kind: 'unreachable', timeout: 3, message: 'host unreachable', loss: 100 },
    { kind: 'hang', timeout: 0.5, message: 'timeout after 0.5 s', loss: undefined },
  ] as const;
  for (const c of cases) {
    it(`${c.kind}: ${c.message}`, async () => {
      const log = await useFake(c.kind);
      const [outcome, ms] = await timed(runCheck(pingEntity('void', [], { host: '127.0.0.9', timeout: c.timeout })));
      assert.deepEqual([outcome.ok, outcome.message], [false, c.message]);
      assert.equal(outcome.extra.packet_loss, c.loss);
      assert.ok(ms < c.timeout * 1000 + MARGIN_MS, `took ${ms} ms`);
      // One probe, numeric, waiting for a reply a little less than the entity's timeout.
      const args = (await readFile(log, 'utf8')).trim().split(' ');
      assert.equal(args.at(-1), '127.0.0.9');
      assert.equal(args[args.indexOf('-c') + 1], '1');
      assert.ok(args.includes('-n'));
      const wait = Number(args[args.indexOf('-W') + 1]);
      assert.ok(wait > 0 && wait < c.timeout, `-W ${wait}`);
    });
  }

  it('ping waits for a reply a quarter less than what is left, kept within 150 ms and 1 s', () => {
    assert.equal(replyWaitMs(400), 250);
    assert.equal(replyWaitMs(1000), 750);
    assert.equal(replyWaitMs(3000), 2250);
    assert.equal(replyWaitMs(10_000), 9000);
  });
});
