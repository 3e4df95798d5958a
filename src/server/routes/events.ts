// Server-Sent Events: entity documents when checks end (coalesced into at most one batch per
// flush period; one event per document, or one event per batch for clients that ask for it),
// configuration status on reloads and rejected edits, and a heartbeat comment that keeps proxies
// from closing an idle stream.
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
   * connection when it falls too far behind (default: the stream is destroyed). With `batch`, a
   * batch of documents is one `entities` event (an array) instead of one `entity` event each.
   */
  connect(drop?: () => void, options?: { batch?: boolean }): PassThrough;
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
  /** Each client's stream, how to end its connection, and whether it takes whole batches. */
  const clients = new Map<PassThrough, { drop: () => void; batch: boolean }>();
  const changed = new Set<string>();
  let timer: unknown = null;
  let lastFlush = -Infinity;
  let closed = false;

  /** Writes `text` to every client, or what it gives for the client's kind of stream. */
  function broadcast(text: string | ((batch: boolean) => string)): void {
    for (const [client, { drop, batch }] of clients) {
      // A client that stopped reading (a frozen tab, a link gone silent) would have every batch
      // kept for it without end: a thousand of them held gigabytes. Past the limit it is dropped;
      // EventSource reconnects and the page reloads the current state.
      if (client.writableLength + client.readableLength > maxBuffered) {
        clients.delete(client);
        drop();
        continue;
      }
      client.write(typeof text === 'string' ? text : text(batch));
    }
  }

  async function flush(): Promise<void> {
    timer = null;
    lastFlush = now();
    const names = [...changed];
    changed.clear();
    const docs: string[] = [];
    for (const name of names) {
      const entity = monitor.entity(name);
      const state = monitor.state(name);
      if (!entity || !state) continue;
      docs.push(JSON.stringify(toDocument(entity, state, await uptime.get(name).catch(() => undefined), options.marks?.(name))));
    }
    if (closed || docs.length === 0) return;
    // Each text is made once, and only when a client of its kind is there.
    const texts: Partial<Record<'batch' | 'single', string>> = {};
    broadcast((batch) => (batch
      ? texts.batch ??= `event: entities\ndata: [${docs.join(',')}]\n\n`
      : texts.single ??= docs.map((doc) => `event: entity\ndata: ${doc}\n\n`).join('')));
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
    connect(drop, connectOptions) {
      const stream = new PassThrough();
      clients.set(stream, { drop: drop ?? (() => stream.destroy()), batch: connectOptions?.batch ?? false });
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
    // `?batch`: a browser parses one event per batch instead of hundreds (web/app.js asks for it).
    const stream = hub.connect(() => ctx.res.destroy(), { batch: ctx.query.batch !== undefined });
    // The socket closing (client gone, server shutting down) ends the client's stream.
    ctx.res.on('close', () => stream.destroy());
    ctx.body = stream;
  });
}
