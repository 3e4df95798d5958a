// A probe: pulls its assignments from a pulsemap server, runs them on their timers, and sends the
// results back. Everything is outbound; the server never connects to a probe.
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { createConnection } from './connection.ts';
import type { AssignmentsAnswer, Connection } from './connection.ts';
import { createResultQueue } from './queue.ts';
import { createRunner } from './runner.ts';
import { createSender } from './sender.ts';

/** The defaults `pulsemap probe` runs with; tests shorten them. */
export const PROBE_DEFAULTS = {
  pollMs: 30_000,
  flushMs: 2_000,
  batchMax: 500,
  bufferMax: 100_000,
  backoffMinMs: 1_000,
  backoffMaxMs: 60_000,
  unauthorizedRetryMs: 60_000,
  requestTimeoutMs: 10_000,
  /** How long a stopping probe tries to send what it holds. */
  closeFlushMs: 5_000,
};

export type ProbeSettings = typeof PROBE_DEFAULTS;

export interface ProbeOptions extends Partial<ProbeSettings> {
  readonly server: string;
  readonly site: string;
  readonly token: string;
  /** Where `${VAR}` in assigned definitions are looked up. */
  readonly env: NodeJS.ProcessEnv;
  /** Run `type: command` assignments; without it they fail with the reason. */
  readonly allowCommands?: boolean;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Aborted while waiting for the server at the start: startProbe resolves null. */
  readonly stopping?: AbortSignal;
}

/** The probe cannot work with this server as configured: the command exits 1 with the message. */
export class ProbeStartError extends Error {}

export interface Probe {
  /** Entity names assigned right now. */
  entities(): string[];
  /** Results waiting to be sent, and results lost to the buffer's bound since the start. */
  stats(): { readonly buffered: number; readonly dropped: number };
  /** Stops the checks and makes one bounded attempt to send what is left. */
  close(): Promise<void>;
}

/**
 * Starts once the first assignments are in. The server being unreachable at the start is waited
 * out (with backoff); a refused token, a token of another site or a server that does not speak the
 * protocol throws ProbeStartError.
 */
export async function startProbe(options: ProbeOptions): Promise<Probe | null> {
  const settings: ProbeSettings = { ...PROBE_DEFAULTS, ...definedOnly(options) };
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const connection = createConnection({ server: options.server, token: options.token, timeoutMs: settings.requestTimeoutMs });
  const stopping = new AbortController();
  options.stopping?.addEventListener('abort', () => stopping.abort(), { once: true });
  if (options.stopping?.aborted) return null;

  const first = await firstAssignments(connection, settings, logger, clock, stopping.signal);
  if (first === null) return null;
  if (first.assignments.site !== options.site) {
    throw new ProbeStartError(`the token belongs to site '${first.assignments.site}', not '${options.site}'`);
  }
  const queue = createResultQueue(settings.bufferMax);
  const sender = createSender({ connection, queue, logger, clock, ...settings });
  const runner = createRunner({ env: options.env, allowCommands: options.allowCommands, clock, random: options.random, onResult: (r) => sender.add(r) });
  let etag = first.etag;
  const report = (assignments: Parameters<typeof runner.apply>[0]): void => {
    const change = runner.apply(assignments);
    for (const { name, problem } of change.problems) logger.warn({ entity: name, problem }, 'assigned check cannot run here');
    logger.info({ site: options.site, entities: runner.names().length, added: change.added.length, changed: change.changed.length, removed: change.removed.length }, 'assignments applied');
  };
  report(first.assignments.entities);
  logger.info({ server: new URL(options.server).origin, site: options.site }, 'pulsemap probe running');

  let pollTimer: unknown = null;
  let refusedToken = false;
  let polling: Promise<void> | null = null;
  const poll = async (): Promise<void> => {
    const answer = await connection.assignments(etag, stopping.signal);
    if (stopping.signal.aborted) return;
    if (answer.kind === 'changed') {
      etag = answer.etag;
      report(answer.assignments.entities);
    } else if (answer.kind === 'unauthorized') {
      if (!refusedToken) logger.error('the server refuses the token (401) for assignments; checks continue with the last ones');
    } else if (answer.kind !== 'unchanged') {
      logger.warn({ reason: 'reason' in answer ? answer.reason : 'HTTP 429' }, 'assignments could not be fetched; checks continue with the last ones');
    }
    refusedToken = answer.kind === 'unauthorized';
  };
  const armPoll = (): void => {
    pollTimer = clock.setTimeout(() => {
      polling = poll().finally(() => {
        polling = null;
        if (!stopping.signal.aborted) armPoll();
      });
    }, refusedToken ? Math.max(settings.pollMs, settings.unauthorizedRetryMs) : settings.pollMs);
  };
  armPoll();

  return {
    entities: () => runner.names(),
    stats: () => ({ buffered: queue.size(), dropped: queue.dropped() }),
    async close() {
      stopping.abort();
      if (pollTimer !== null) clock.clearTimeout(pollTimer);
      await polling;
      await runner.close();
      await sender.close(settings.closeFlushMs);
    },
  };
}

async function firstAssignments(connection: Connection, settings: ProbeSettings, logger: Logger, clock: Clock, signal: AbortSignal) {
  let wait = settings.backoffMinMs;
  let told = false;
  for (;;) {
    const answer: AssignmentsAnswer = await connection.assignments(null, signal);
    if (signal.aborted) return null;
    if (answer.kind === 'changed') {
      if (told) logger.info('the server answers; starting');
      return answer;
    }
    if (answer.kind === 'unauthorized') throw new ProbeStartError('the server refused the token (401): check --token / PULSEMAP_PROBE_TOKEN and the probe\'s token in the server\'s configuration');
    if (answer.kind === 'refused' || answer.kind === 'unchanged') {
      throw new ProbeStartError(`the server does not serve probe assignments at this URL (${answer.kind === 'refused' ? answer.reason : 'HTTP 304'})`);
    }
    if (!told) logger.warn({ reason: answer.kind === 'limited' ? 'HTTP 429' : answer.reason }, 'the server cannot be reached; retrying until it answers');
    told = true;
    const delay = answer.kind === 'limited' && answer.retryAfterMs !== null ? Math.max(wait, answer.retryAfterMs) : wait;
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(done, delay);
      function done(): void {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    wait = Math.min(settings.backoffMaxMs, wait * 2);
  }
}

function definedOnly(options: Partial<ProbeSettings>): Partial<ProbeSettings> {
  return Object.fromEntries(Object.entries(options).filter(([key, v]) => v !== undefined && key in PROBE_DEFAULTS));
}
