// What the HTTP server is given: the contract between main.ts (or a test) and the routes.
import type { Clock } from '../clock.ts';
import type { PushInbox } from '../checks/push-inbox.ts';
import type { Logger } from '../log.ts';
import type { MapService } from '../map/service.ts';
import type { Metrics } from '../metrics.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { Store } from '../store/store.ts';
import type { StoreStatus } from '../store/health.ts';
import type { EventHub } from './routes/events.ts';
import type { UptimeCache } from './uptime.ts';
import type { ConfigStatus } from './document.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { LoginLimiter } from '../auth/limiter.ts';
import type { Editor } from '../editing/service.ts';
import type { AuditLog } from '../editing/audit.ts';
import type { Ack, EntityMarks } from '../types.ts';
import type { ClusterView } from '../cluster/node.ts';
import type { MaintenanceService } from '../maintenance/service.ts';
import type { ProbeService } from '../probes/service.ts';

export type { ConfigStatus } from './document.ts';

/** Acknowledging incidents, as the alert service does it. */
export interface Acknowledgements {
  /** null: the entity has no open (announced) incident. */
  acknowledge(name: string, ack: Ack): Promise<Ack | null>;
  unacknowledge(name: string): Promise<void>;
}

export interface AppDeps {
  readonly monitor: Monitor;
  readonly store: Store;
  readonly logger: Logger;
  readonly configStatus: () => ConfigStatus;
  /** Whether the store can be read and written now (store/health.ts); always ok when omitted. */
  readonly storeStatus?: () => StoreStatus;
  readonly clock?: Pick<Clock, 'now'>;
  /** Directory of the web page; omitted in API-only tests. */
  readonly webDir?: string;
  /** More fields for /health (alert outbox and the like). */
  readonly health?: () => Promise<Record<string, unknown>>;
  /** Uptime windows shared with other readers (the event hub); made here when omitted. */
  readonly uptime?: UptimeCache;
  /** Serves GET /metrics when given. */
  readonly metrics?: Metrics;
  /** Serves GET /map.svg and /map.nomnoml when given. */
  readonly map?: MapService;
  /** Serves GET and POST /push/TOKEN when given. */
  readonly pushes?: PushInbox;
  /** What operation adds to each entity's document (flapping); none when omitted. */
  readonly marks?: (name: string) => EntityMarks;
  /** Serves POST/DELETE /entities/:name/ack when given (the alert service). */
  readonly acks?: Acknowledgements;
  /** Serves GET, POST /maintenance and DELETE /maintenance/:id when given. */
  readonly maintenance?: MaintenanceService;
  /** Serves GET /events (Server-Sent Events) when given. */
  readonly events?: EventHub;
  /** Page logins; made here when omitted. */
  readonly sessions?: Sessions;
  readonly loginLimiter?: LoginLimiter;
  /** Serves GET /config and the entity writes when given, with GET /audit. */
  readonly editor?: Editor;
  readonly audit?: AuditLog;
  /** Serves the probe protocol (/api/probe/v1/...) and the `probes` part of /health when given. */
  readonly probes?: ProbeService;
  /** Slows token guessing on the probe routes; made here when omitted. */
  readonly probeLimiter?: LoginLimiter;
  /** Serves GET /cluster and the `cluster` part of /health when running as one of several instances. */
  readonly cluster?: { view(): ClusterView; fenced(): boolean };
}
