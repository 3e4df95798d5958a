// `npm test`: checks that what the suite needs is installed (installing the Debian packages when
// root), starts a throwaway PostgreSQL cluster unless PGURL names a server, runs node's test
// runner, and removes the cluster however the run ends: pass, fail, or a signal (Ctrl-C).
// Arguments go to the runner; without test files among them it runs every test/**/*.test.ts.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import pg from 'pg';
import { startCluster } from '../helpers/cluster.ts';
import type { Cluster } from '../helpers/cluster.ts';
import { exited, groupMembers } from '../helpers/proc.ts';
import { REQUIREMENTS } from './packages.ts';
import { currentHost, ensureInstalled } from './prerequisites.ts';

const RUNNER = ['--test', '--test-concurrency=1', '--test-timeout=120000'];
const ALL_TESTS = 'test/**/*.test.ts';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const say = (line: string) => process.stderr.write(`npm test: ${line}\n`);

/** The URL with its password hidden, for messages. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(not a valid URL)';
  }
}

/** Null when the server at `url` answers a query, else why not. */
async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 30_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

function runnerArgs(args: readonly string[]): string[] {
  const hasFiles = args.some((a) => !a.startsWith('-') && (a.endsWith('.ts') || a.includes('*')));
  return [...RUNNER, ...args, ...(hasFiles ? [] : [ALL_TESTS])];
}

async function main(args: readonly string[]): Promise<number> {
  let interrupted: NodeJS.Signals | null = null;
  let runner: ChildProcess | null = null;
  // The runner leads a process group of its own (so test files and what they start can be
  // found again); a signal to this script goes on to the whole group.
  const toGroup = (signal: NodeJS.Signals) => {
    try {
      if (runner?.pid !== undefined) process.kill(-runner.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      interrupted = signal;
      toGroup(signal);
    });
  }
  const stopped = () => (interrupted === null ? null : 128 + constants.signals[interrupted]);

  const problem = await ensureInstalled(REQUIREMENTS, currentHost(), say);
  if (problem !== null) {
    process.stderr.write(problem);
    return 1;
  }
  let cluster: Cluster | null = null;
  try {
    let url = process.env.PGURL;
    if (url !== undefined && url !== '') {
      const failure = await reachable(url);
      if (failure !== null) {
        say(`cannot reach the PostgreSQL server in PGURL (${shown(url)}): ${failure}\nStart it, or unset PGURL and npm test starts a cluster of its own.`);
        return 1;
      }
      say(`PostgreSQL: ${shown(url)} (PGURL)`);
    } else {
      const started = await startCluster({ user: 'postgres' });
      if (typeof started === 'string') {
        say(`cannot start a PostgreSQL cluster for the tests: ${started}\nOr set PGURL to a server the tests may create databases on.`);
        return 1;
      }
      cluster = started;
      url = cluster.url();
      say(`PostgreSQL: a cluster of its own at ${url} in ${cluster.dir}, removed after the run (PGURL selects another server)`);
    }
    if (stopped() !== null) return stopped() as number;
    runner = spawn(process.execPath, runnerArgs(args), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PGURL: url },
      detached: true,
    });
    const [code, signal] = (await once(runner, 'exit')) as [number | null, NodeJS.Signals | null];
    // Whatever the tests left running in the group ends with them.
    const leftover = groupMembers(runner.pid!);
    toGroup('SIGKILL');
    await Promise.all(leftover.map((pid) => exited(pid)));
    return stopped() ?? code ?? 128 + constants.signals[signal ?? 'SIGTERM'];
  } finally {
    await cluster?.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
