// PostgreSQL helpers for tests: the shared server's URL, closed ports, silent servers, and a
// throwaway cluster that demands scram passwords (the shared server trusts every local login).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PGURL = process.env.PGURL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SilentServer {
  readonly port: number;
  /** Connections accepted so far, and how many the client has since closed. */
  readonly stats: { accepted: number; closed: number };
  close(): Promise<void>;
}

/** Accepts TCP connections and never says a word: a hung database or HTTP server. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const stats = { accepted: 0, closed: 0 };
  const server: Server = createServer((socket) => {
    stats.accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    // Read and drop what the client sends, so its FIN (and so the close) is noticed.
    socket.resume();
    socket.on('close', () => {
      stats.closed += 1;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    stats,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ScramCluster {
  readonly port: number;
  readonly user: string;
  /** postgres:// URL for `user` with the given password (URL-encoded here). */
  url(password: string, database?: string): string;
  stop(): Promise<void>;
}

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/**
 * A private cluster on a spare loopback port whose superuser `user` must log in with `password`.
 * Returns a reason string instead when it cannot be started here (no initdb, no postgres user).
 */
export async function startScramCluster(user: string, password: string): Promise<ScramCluster | string> {
  const bin = BIN_DIRS.find((dir) => existsSync(join(dir, 'initdb')));
  if (bin === undefined) return `initdb not found in ${BIN_DIRS.join(', ')}`;
  // initdb refuses to run as root: run it (and the server) as the postgres OS user then.
  let owner: { uid: number; gid: number } | null = null;
  if (process.getuid?.() === 0) {
    try {
      const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
      owner = { uid: Number(uid.stdout), gid: Number(gid.stdout) };
    } catch {
      return 'running as root and there is no postgres OS user to run initdb as';
    }
  }
  const asOwner = (file: string, args: string[]) =>
    run(file, args, { timeout: 60_000, ...(owner === null ? {} : { uid: owner.uid, gid: owner.gid }), cwd: tmpdir() });

  const dir = await mkdtemp(join(tmpdir(), 'pulsemap-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, `${password}\n`);
  if (owner !== null) {
    await chown(dir, owner.uid, owner.gid);
    await chown(pwfile, owner.uid, owner.gid);
  }
  await chmod(dir, 0o700);
  const port = await closedPort();
  try {
    await asOwner(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-N', '--no-instructions']);
    await asOwner(join(bin, 'pg_ctl'), [
      '-D', data, '-l', join(dir, 'log'), '-w', '-t', '30',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start',
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    return `could not start a scram cluster: ${(err as Error).message.split('\n')[0]}`;
  }
  return {
    port,
    user,
    url: (pw, database = 'postgres') => `postgres://${user}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
