// Documents the API serves: the entity document (its first ten fields keep the original names
// and order) and the configuration status.
import type { Ack, Entity, EntityMarks, EntityState, SiteMark, Uptime } from '../types.ts';
import { NO_UPTIME } from './uptime.ts';
import type { UptimeCoverage, UptimeFigures } from './uptime.ts';
import { NO_MARKS } from '../types.ts';
import { successRatio } from '../monitor/state.ts';

export interface EntityDocument {
  name: string;
  type: string;
  interval: number;
  lastcheck: string | null;
  status: string;
  success_count: number;
  fail_count: number;
  success_ratio: number;
  dependencies: string[] | null;
  extra: Record<string, string | number | boolean>;
  message: string;
  latency_ms: number | null;
  since: string | null;
  consecutive_failures: number;
  blocked_by: string | null;
  group: string | null;
  target: string;
  uptime: Uptime;
  /** Share of each uptime window after the first check: 0.017 for 25 minutes of a day. */
  uptime_coverage: UptimeCoverage;
  /** Flapping now (weighted state changes above the entity's threshold). */
  flapping: boolean;
  /** The acknowledgement of its open incident. */
  ack: { by: string; at: string; comment: string | null; until: string | null } | null;
  /** The maintenance window covering it now (its status is then `maintenance`). */
  maintenance: { name: string; until: string } | null;
  /** Entities with `locations`: the latest result of each site. */
  sites?: Readonly<Record<string, SiteMark>>;
}

function ackDocument(ack: Ack | null): EntityDocument['ack'] {
  return ack === null ? null : { by: ack.by, at: iso(ack.at)!, comment: ack.comment, until: iso(ack.until) };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toDocument(entity: Entity, state: EntityState, uptime: UptimeFigures = NO_UPTIME, marks: EntityMarks = NO_MARKS): EntityDocument {
  return {
    name: entity.name,
    type: entity.type,
    interval: entity.interval,
    lastcheck: iso(state.lastcheck),
    status: state.status,
    success_count: state.success_count,
    fail_count: state.fail_count,
    success_ratio: successRatio(state),
    dependencies: entity.dependencies.length > 0 ? [...entity.dependencies] : null,
    // User facts first; figures from the last check (http_status, size...) next to them.
    extra: { ...entity.extra, ...state.extra },
    message: state.message,
    latency_ms: state.latency_ms,
    since: iso(state.since),
    consecutive_failures: state.consecutive_failures,
    blocked_by: state.blocked_by,
    group: entity.group,
    target: entity.target,
    uptime: uptime.uptime,
    uptime_coverage: uptime.coverage,
    flapping: marks.flapping,
    ack: ackDocument(marks.ack),
    maintenance: marks.maintenance ? { name: marks.maintenance.name, until: iso(marks.maintenance.until)! } : null,
    ...(marks.sites ? { sites: marks.sites } : {}),
  };
}

export interface ConfigStatus {
  readonly path: string;
  /** Epoch ms when the running configuration was loaded. */
  readonly loaded_at: number;
  /** `file:line:col: message` lines of a rejected edit, null when the file is good. */
  readonly error: string[] | null;
}
