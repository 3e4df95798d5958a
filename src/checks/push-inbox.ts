// Pushes received from jobs (GET or POST /push/TOKEN), kept in memory for the push check type.
// The HTTP route records them; the push check reads them. Nothing here is ever shown as is.
import type { Clock } from '../clock.ts';

export interface Push {
  /** Epoch ms when it arrived. */
  readonly at: number;
  /** `?status=error` says the job failed. */
  readonly ok: boolean;
  /** `?msg=`, cleaned and shortened; empty when absent. */
  readonly message: string;
}

export interface PushInbox {
  record(name: string, push: Push): void;
  /** The latest push for the entity since this process started, if any. */
  last(name: string): Push | undefined;
  /** Epoch ms when the inbox started listening: a job's first window counts from here. */
  readonly since: number;
  /** Forgets entities no longer configured. */
  keepOnly(names: ReadonlySet<string>): void;
}

export function createPushInbox(clock: Pick<Clock, 'now'>): PushInbox {
  const pushes = new Map<string, Push>();
  return {
    record: (name, push) => { pushes.set(name, push); },
    last: (name) => pushes.get(name),
    since: clock.now(),
    keepOnly(names) {
      for (const name of pushes.keys()) if (!names.has(name)) pushes.delete(name);
    },
  };
}
