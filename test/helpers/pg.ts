// PostgreSQL helpers for tests: the server's URL (PGURL: `npm test` sets it to the cluster it
// starts), closed ports, silent servers, and a throwaway cluster that demands scram passwords
// (the suite's server trusts every local login).
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { startCluster } from './cluster.ts';
import type { Cluster } from './cluster.ts';

export { closedPort } from './port.ts';

export const PGURL = process.env.PGURL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

export type ScramCluster = Cluster;

/**
 * A private cluster on a spare loopback port whose superuser `user` must log in with `password`.
 * Returns a reason string instead when it cannot be started here (no initdb, no postgres user).
 */
export async function startScramCluster(user: string, password: string): Promise<ScramCluster | string> {
  return startCluster({ user, password });
}
