// Domain types every part shares, whatever check types and channels exist. No logic lives here.

export const STATUSES = ['unknown', 'ok', 'degraded', 'pending', 'error', 'blocked', 'maintenance'] as const;
export type Status = (typeof STATUSES)[number];

/** A value shown in an entity's cell and document: user `extra` or a figure a check found. */
export type ExtraValue = string | number | boolean;
export type Extra = Readonly<Record<string, ExtraValue>>;

/** The fields every entity has; each check type adds its own (see src/checks/registry.ts). */
export interface EntityBase {
  readonly name: string;
  readonly type: string;
  /** Seconds between checks. */
  readonly interval: number;
  /** Seconds before a check counts as failed. */
  readonly timeout: number;
  /** Seconds between re-checks while a failure is not yet confirmed. */
  readonly retry_interval: number;
  readonly failure_threshold: number;
  readonly success_threshold: number;
  /** Names of entities this one depends on, in file order. */
  readonly dependencies: readonly string[];
  readonly group: string | null;
  /** User-supplied facts shown in the cell (after `${VAR}` substitution). */
  readonly extra: Extra;
  /** What is checked, safe to show: URL without credentials, host, host:port... */
  readonly target: string;
  /** 1-based position of the entity's key in the file, for messages. */
  readonly line: number;
  /** Free text from the configuration, shown in the entity's details; null when absent. */
  readonly description?: string | null;
  /** Flapping detection (`flapping:`); null or absent = off. */
  readonly flapping?: FlapSettings | null;
  /** Channels this entity's alerts go to (`notify: [dba]`); null or absent = its group's or the default. */
  readonly notify?: readonly string[] | null;
  /** `locations:` / `quorum:`: checked at several sites; null or absent = here only. */
  readonly placement?: Placement | null;
}

/** Where an entity is checked (`locations:`), and how many failing sites make it fail. */
export interface Placement {
  /** Sites in file order; `local` is the pulsemap instances themselves. */
  readonly locations: readonly string[];
  /** Failing sites that make the entity fail; fewer make it degraded. */
  readonly quorum: number;
  /** The fields a probe runs, as written (`${VAR}` unexpanded); null when no probe site is named. */
  readonly check: Readonly<Record<string, unknown>> | null;
}

/** Thresholds of flapping detection, in percent of weighted state changes over the last 20. */
export interface FlapSettings {
  /** Flapping stops below this. */
  readonly low: number;
  /** Flapping starts above this. */
  readonly high: number;
}

/** An acknowledged incident: reminders stop until it recovers (or `until`). */
export interface Ack {
  /** Who acknowledged: a user or token name. */
  readonly by: string;
  /** Epoch ms. */
  readonly at: number;
  readonly comment: string | null;
  /** Epoch ms when reminders resume though it is still down; null = until it recovers. */
  readonly until: number | null;
}

/** What the operation of an entity adds to its document: flapping now, an acknowledgement. */
export interface EntityMarks {
  readonly flapping: boolean;
  readonly ack: Ack | null;
  /** The maintenance window covering it now, and when that opening ends (epoch ms). */
  readonly maintenance?: { readonly name: string; readonly until: number } | null;
  /** Entities checked at several sites: the latest result of each (absent for the others). */
  readonly sites?: Readonly<Record<string, SiteMark>> | null;
}

/** A site's latest result as an entity document shows it. */
export interface SiteMark {
  readonly ok: boolean;
  /** ISO time the check started at the site. */
  readonly at: string;
  readonly message: string;
  /** Whether it still counts for the verdict (probes/verdict.ts). */
  readonly fresh: boolean;
}

export const NO_MARKS: EntityMarks = { flapping: false, ack: null, maintenance: null };

/** What a checker returns. Checks never throw for a target's failure: they report it here. */
export interface CheckOutcome {
  readonly ok: boolean;
  /** Passing but slow, or a certificate close to expiry. */
  readonly degraded: boolean;
  readonly latency_ms: number | null;
  /** Human-readable: `expected status 200, got 503`, `timeout after 10 s`, or a short success note. */
  readonly message: string;
  /** Figures the check found: http_status, cert_days, packet_loss, size, size_bytes... */
  readonly extra: Extra;
}

/** A check outcome stamped with when it started. */
export interface CheckResult extends CheckOutcome {
  /** Epoch milliseconds when the check started. */
  readonly at: number;
}

export interface EntityState {
  readonly name: string;
  readonly status: Status;
  /** Epoch ms when the current status began; null before the first check. */
  readonly since: number | null;
  /** Epoch ms of the last finished check's start; null before the first check. */
  readonly lastcheck: number | null;
  readonly success_count: number;
  readonly fail_count: number;
  readonly consecutive_failures: number;
  readonly consecutive_successes: number;
  /** Root cause entity while blocked. */
  readonly blocked_by: string | null;
  readonly message: string;
  readonly latency_ms: number | null;
  /** Figures from the last check. */
  readonly extra: Extra;
  /** Whether the last check passed; null before the first check. */
  readonly last_ok: boolean | null;
}

export interface Transition {
  readonly name: string;
  readonly from: Status;
  readonly to: Status;
  /** Epoch ms. */
  readonly at: number;
  /** The entity's message at the time of the change. */
  readonly message: string;
  readonly blocked_by: string | null;
  /** Epoch ms when the previous status began (for downtime). */
  readonly prev_since: number | null;
}

export interface HistoryEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly ok: boolean;
  readonly status: Status;
  readonly latency_ms: number | null;
  readonly message: string;
}

export interface Uptime {
  readonly '24h': number | null;
  readonly '7d': number | null;
  readonly '30d': number | null;
}

/** When a maintenance window is open (src/maintenance/window.ts). */
export type Schedule =
  | { readonly kind: 'once'; readonly start: number; readonly end: number }
  | {
    readonly kind: 'cron';
    /** Five fields: minute hour day-of-month month day-of-week, in `timezone`. */
    readonly cron: string;
    /** Milliseconds the window stays open after each start. */
    readonly duration: number;
    /** IANA name; `UTC` when the file names none. */
    readonly timezone: string;
  };

export interface MaintenanceWindow {
  /** The name for one from the file; a random id for one posted through the API. */
  readonly id: string;
  readonly name: string;
  readonly entities: readonly string[];
  readonly groups: readonly string[];
  readonly reason: string | null;
  readonly schedule: Schedule;
  /** `config` (entities.yaml) or who posted it. */
  readonly source: 'config' | 'api';
  /** Who posted it (api); null for the file's. */
  readonly by: string | null;
}
