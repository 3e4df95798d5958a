// The alert service of a cluster: it runs only on the instance holding the alerter's lease, one
// service per term (epoch), and every other instance hands its subscribers' news to nothing.
import type { AlertService } from '../alerts/service.ts';
import type { Logger } from '../log.ts';
import { HttpError } from '../server/errors.ts';
import type { Term } from './fenced-store.ts';

export interface LeaderAlerts extends AlertService {
  /** Starts this term's service (or keeps the running one); null ends the term. */
  lead(term: Term | null): Promise<void>;
}

export function createLeaderAlerts(options: {
  readonly make: (term: Term) => AlertService;
  readonly logger: Logger;
  /** Who leads now, for the answers of the other instances. */
  readonly leader: () => string | null;
}): LeaderAlerts {
  const { logger } = options;
  let current: { term: Term; service: AlertService } | null = null;
  let changes: Promise<void> = Promise.resolve();
  let closed = false;

  function notLeader(): HttpError {
    return new HttpError(503, `alerts are handled by the leading instance (${options.leader() ?? 'none yet'}); send this there`);
  }

  async function change(term: Term | null): Promise<void> {
    if (closed) term = null;
    if (current !== null && term !== null && current.term.epoch === term.epoch) return;
    if (current !== null) {
      const ending = current;
      current = null;
      logger.info({ epoch: ending.term.epoch }, 'cluster: no longer the alerter');
      await ending.service.close().catch((err: unknown) => logger.warn({ err: String(err) }, 'cluster: closing the alerts of a past term failed'));
    }
    if (term === null) return;
    const service = options.make(term);
    current = { term, service };
    logger.info({ epoch: term.epoch }, 'cluster: this instance sends the alerts now');
    try {
      await service.start();
    } catch (err) {
      current = null;
      await service.close().catch(() => undefined);
      throw err;
    }
  }

  return {
    lead(term) {
      changes = changes.then(() => change(term)).catch((err: unknown) => {
        logger.error({ err: String(err) }, 'cluster: starting the alerts failed; retried at the next renewal');
        current = null;
      });
      return changes;
    },
    onTransition: (transition, state) => current?.service.onTransition(transition, state),
    onResult: (entity, result, state) => current?.service.onResult(entity, result, state),
    onConfig: (config) => current?.service.onConfig(config),
    async start() {},
    configRejected: (lines) => current?.service.configRejected(lines),
    configFixed: (config) => current?.service.configFixed(config),
    maintenanceChanged: (change) => current?.service.maintenanceChanged(change),
    probePresence: (probe) => current?.service.probePresence(probe),
    async acknowledge(name, ack) {
      if (current === null) throw notLeader();
      return current.service.acknowledge(name, ack);
    },
    async unacknowledge(name) {
      if (current === null) throw notLeader();
      return current.service.unacknowledge(name);
    },
    ackOf: (name) => current?.service.ackOf(name) ?? null,
    async health() {
      if (current !== null) return current.service.health();
      return { alerts: { sent_by: options.leader() } };
    },
    flush: async () => current?.service.flush(),
    idle: async () => current?.service.idle(),
    async close() {
      closed = true;
      await this.lead(null);
    },
  };
}
