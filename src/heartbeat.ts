// Watching the watcher: an outbound call to a dead man's switch (healthchecks.io and the like)
// every interval while this process is the one that alerts. When pulsemap, its machine or its
// PostgreSQL is down, the calls stop and the outside service raises the alarm.
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { Logger } from './log.ts';
import { scrub } from './secrets.ts';

export interface HeartbeatOptions {
  /** The URL to call (may hold a token: never logged); null: no heartbeat. */
  readonly url: () => string | null;
  readonly intervalMs: () => number;
  /** Sent as User-Agent, so the receiving end can tell which instance called. */
  readonly agent: string;
  readonly clock?: Clock;
  readonly logger: Logger;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

export interface Heartbeat {
  /** Calls now, then every interval, until stop(). */
  start(): void;
  stop(): void;
}

export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: unknown = null;
  let running = false;
  let failing = false;

  async function beat(): Promise<void> {
    const url = options.url();
    if (url === null) return;
    try {
      const res = await fetch(url, { headers: { 'user-agent': options.agent }, signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (failing) logger.info('heartbeat: delivered again');
      failing = false;
    } catch (err) {
      // Without the URL: its path usually is the secret.
      const reason = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : err.message) : String(err);
      if (!failing) logger.warn({ err: scrub(reason, [url]) }, 'heartbeat: the call failed');
      failing = true;
    }
  }

  function loop(): void {
    if (!running) return;
    void beat().finally(() => {
      if (running) timer = clock.setTimeout(() => { timer = null; loop(); }, options.intervalMs());
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop();
    },
    stop() {
      running = false;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
