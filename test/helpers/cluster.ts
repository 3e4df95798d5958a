// A throwaway PostgreSQL cluster: initdb in a temporary directory, a free loopback port, fsync
// off, removed by stop(). `npm test` runs the suite against one; the scram test starts its own.
import { execFile } from 'node:child_process';
import { globSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './port.ts';
import { exited } from './proc.ts';

const run = promisify(execFile);

/** Where Debian's postgresql-NN packages put initdb. */
export const INITDB_PATTERN = '/usr/lib/postgresql/*/bin/initdb';

export interface ClusterOptions {
  /** The superuser initdb creates. */
  readonly user: string;
  /** With a password every login must use scram-sha-256; without one local logins are trusted. */
  readonly password?: string;
}

export interface Cluster {
  readonly port: number;
  readonly user: string;
  /** The temporary directory that holds the data, the socket and the log. */
  readonly dir: string;
  /** postgres:// URL for `user`, with `password` (URL-encoded here) when given. */
  url(password?: string, database?: string): string;
  stop(): Promise<void>;
}

/** The bin directory of the newest installed server version, if any. */
export function postgresBin(): string | undefined {
  const found = globSync(INITDB_PATTERN).map(dirname);
  const version = (bin: string) => Number(bin.split('/').at(-2));
  return found.sort((a, b) => version(b) - version(a))[0];
}

/** uid/gid to run initdb and the server as: the postgres OS user when root (initdb refuses root). */
async function serverOwner(): Promise<{ uid: number; gid: number } | null | string> {
  if (process.getuid?.() !== 0) return null;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  } catch {
    return 'running as root and there is no postgres OS user to run initdb as';
  }
}

/** Starts a private cluster, or returns why it cannot be started here. */
export async function startCluster(options: ClusterOptions): Promise<Cluster | string> {
  const bin = postgresBin();
  if (bin === undefined) return `initdb not found (${INITDB_PATTERN}): install the postgresql package`;
  const owner = await serverOwner();
  if (typeof owner === 'string') return owner;
  const asOwner = (tool: string, args: string[]) =>
    run(join(bin, tool), args, { timeout: 120_000, cwd: tmpdir(), ...(owner === null ? {} : owner) });

  const dir = await mkdtemp(join(tmpdir(), 'pulsemap-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  if (options.password !== undefined) {
    await writeFile(pwfile, `${options.password}\n`);
    if (owner !== null) await chown(pwfile, owner.uid, owner.gid);
  }
  const auth = options.password === undefined ? ['--auth=trust'] : ['--auth=scram-sha-256', `--pwfile=${pwfile}`];
  if (owner !== null) await chown(dir, owner.uid, owner.gid);
  await chmod(dir, 0o700);
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    await asOwner('initdb', ['-D', data, '-U', options.user, ...auth, '-N', '--no-instructions']);
  } catch (err) {
    await removeDir();
    return `initdb failed: ${lastLine(err)}`;
  }
  const stopServer = () => asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  const log = join(dir, 'log');
  // The free port may be taken by someone else before the server binds it: try a few.
  let failure = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await closedPort();
    try {
      await asOwner('pg_ctl', [
        '-D', data, '-l', log, '-w', '-t', '60',
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`, 'start',
      ]);
    } catch (err) {
      // A server that was slow to start may still come up: make sure it is gone before retrying.
      await stopServer();
      failure = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').at(-1) || lastLine(err);
      continue;
    }
    const postmaster = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return {
      port,
      user: options.user,
      dir,
      url: (password, database = 'postgres') =>
        `postgres://${options.user}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/${database}`,
      stop: async () => {
        await stopServer();
        // pg_ctl returns once the pid file is gone, a moment before the server process exits.
        await exited(postmaster);
        await removeDir();
      },
    };
  }
  await removeDir();
  return `could not start a PostgreSQL cluster: ${failure}`;
}

/** The last line a failed tool printed: its reason. */
function lastLine(err: unknown): string {
  const { stderr, message } = err as { stderr?: string; message: string };
  return (stderr?.trim() || message.trim()).split('\n').at(-1) ?? message;
}
