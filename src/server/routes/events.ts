// Server-Sent Events: entity documents when checks end (coalesced into at most one batch per
// flush period), configuration status on reloads and rejected edits, and a heartbeat comment
// that keeps proxies from closing an idle stream.
import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import type { Monitor, MonitorSubscriber } from '../../monitor/monitor.ts';
import type { Store } from '../../store/store.ts';
import { systemClock } from '../../clock.ts';
import type { Clock } from '../../clock.ts';
import type { EntityMarks } from '../../types.ts';
import type { ConfigStatus } from '../document.ts';
import { toDocument } from '../document.ts';
import { createUptimeCache } from '../uptime.ts';
import type { UptimeCache } from '../uptime.ts';

/** Results and transitions mark their entity for the next batch. */
export interface EventHub extends Required<Pick<MonitorSubscriber, 'onResult' | 'onTransition'>> {
  /** Tells every client about the configuration: call after a reload and after a rejected edit. */
  configChanged(status: ConfigStatus): void;
  /**
   * Starts a stream for one client; it leaves the hub when it closes. `drop` ends the client's
   * connection when it falls too far behind (default: the stream is destroyed).
   */
  connect(drop?: () => void): PassThrough;
  clients(): number;
  close(): void;
}

export interface EventHubOptions {
  readonly monitor: Pick<Monitor, 'entity' | 'state'>;
  readonly store: Store;
  /** Shared with the API so both read one set of uptime windows; made here when omitted. */
  readonly uptime?: UptimeCache;
  readonly clock?: Clock;
  readonly flushMs?: number;
  readonly heartbeatMs?: number;
  /** Browsers wait this long before reconnecting after the server went away. */
  readonly retryMs?: number;
  /** What operation adds to each entity's document (flapping); none when omitted. */
  readonly marks?: (name: string) => EntityMarks;
  /** Bytes buffered for one client before it is dropped as too slow. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function configPayload(status: ConfigStatus) {
  return { path: status.path, loaded_at: new Date(status.loaded_at).toISOString(), error: status.error };
}

export function createEventHub(options: EventHubOptions): EventHub {
  const { monitor } = options;
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const flushMs = options.flushMs ?? 1000;
  const uptime = options.uptime ?? createUptimeCache(options.store, clock);
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  /** Each client's stream and how to end its connection. */
  const clients = new Map<PassThrough, () => void>();
  const changed = new Set<string>();
  let timer: unknown = null;
  let lastFlush = -Infinity;
  let closed = false;

  function broadcast(text: string): void {
    for (const [client, drop] of clients) {
      // A client that stopped reading (a frozen tab, a link gone silent) would have every batch
      // kept for it without end: a thousand of them held gigabytes. Past the limit it is dropped;
      // EventSource reconnects and the page reloads the current state.
      if (client.writableLength + client.readableLength > maxBuffered) {
        clients.delete(client);
        drop();
        continue;
      }
      client.write(text);
    }
  }

  async function flush(): Promise<void> {
    timer = null;
    lastFlush = now();
    const names = [...changed];
    changed.clear();
    const frames: string[] = [];
    for (const name of names) {
      const entity = monitor.entity(name);
      const state = monitor.state(name);
      if (!entity || !state) continue;
      frames.push(frame('entity', toDocument(entity, state, await uptime.get(name).catch(() => undefined), options.marks?.(name))));
    }
    if (!closed && frames.length > 0) broadcast(frames.join(''));
  }

  function schedule(name: string): void {
    if (closed || clients.size === 0) return;
    changed.add(name);
    // A short gather window lets one cascade go out as one batch; the flush period caps the rate.
    timer ??= clock.setTimeout(() => { void flush(); }, Math.max(50, lastFlush + flushMs - now()));
  }

  const heartbeat = setInterval(() => broadcast(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    onResult: (entity) => schedule(entity.name),
    onTransition: (transition) => schedule(transition.name),
    configChanged(status) {
      broadcast(frame('config', configPayload(status)));
    },
    connect(drop) {
      const stream = new PassThrough();
      clients.set(stream, drop ?? (() => stream.destroy()));
      stream.on('close', () => clients.delete(stream));
      stream.write(`retry: ${options.retryMs ?? 2000}\n: connected\n\n`);
      return stream;
    },
    clients: () => clients.size,
    close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      clearInterval(heartbeat);
      for (const client of clients.keys()) client.end();
      clients.clear();
    },
  };
}

export function eventRoutes(router: Router, hub: EventHub): void {
  router.get('/events', (ctx) => {
    ctx.compress = false; // a compressor would hold events back until its buffer fills
    ctx.req.socket.setNoDelay(true);
    ctx.set('Cache-Control', 'no-cache, no-transform');
    ctx.set('X-Accel-Buffering', 'no');
    ctx.type = 'text/event-stream';
    // Dropped as too slow: end the connection itself, so the browser notices and reconnects.
    const stream = hub.connect(() => ctx.res.destroy());
    // The socket closing (client gone, server shutting down) ends the client's stream.
    ctx.res.on('close', () => stream.destroy());
    ctx.body = stream;
  });
}
