// A TCP relay to a real server (PostgreSQL) that a test can freeze (bytes stop passing: a server
// gone silent mid-connection), cut (every connection dropped, as by a crashed server), or
// partition (every connection dropped and new ones refused until heal()).
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Relay {
  /** `target` with its host and port pointed at the relay. */
  url(target: string): string;
  freeze(): void;
  /** Bytes held back since freeze(). */
  held(): number;
  thaw(): void;
  /** Drops every connection; new ones pass again. */
  cut(): void;
  /** Drops every connection and refuses new ones until heal(). */
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startRelay(to: URL): Promise<Relay> {
  let frozen = false;
  let refusing = false;
  const held: [net.Socket, Buffer][] = [];
  const sockets = new Set<net.Socket>();
  const pass = (from: net.Socket, dest: net.Socket) => {
    sockets.add(from);
    from.on('error', () => {});
    from.on('close', () => { sockets.delete(from); dest.destroy(); });
    from.on('data', (chunk: Buffer) => (frozen ? held.push([dest, chunk]) : dest.write(chunk)));
  };
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(to.port || 5432), to.hostname);
    pass(client, upstream);
    pass(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = (): void => {
    frozen = false;
    held.length = 0;
    for (const socket of sockets) socket.destroy();
  };
  const port = (server.address() as AddressInfo).port;
  return {
    url(target) {
      const u = new URL(target);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    freeze: () => { frozen = true; },
    held: () => held.length,
    thaw() {
      frozen = false;
      for (const [dest, chunk] of held.splice(0)) if (!dest.destroyed) dest.write(chunk);
    },
    cut,
    partition() {
      refusing = true;
      cut();
    },
    heal: () => { refusing = false; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
