// The audit log: one JSON line per change (who, when, what, the YAML diff), appended to a file
// in the data directory and fsynced, so it survives restarts whichever store is in use.
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

/** What a change was to: an entity (the default, left out of the entry), a login user, notify settings. */
export type AuditKind = 'entity' | 'user' | 'notify';

export interface AuditEntry {
  /** ISO time. */
  readonly at: string;
  readonly by: string;
  readonly action: 'create' | 'replace' | 'update' | 'rename' | 'delete';
  /** The entity's name; for a user its name, for notify settings the channel or `settings`. */
  readonly entity: string;
  /** Left out for entities. */
  readonly kind?: Exclude<AuditKind, 'entity'>;
  /** Unified diff of entities.yaml. */
  readonly diff: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<AuditEntry[]>;
}

export function createAuditLog(file: string): AuditLog {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    record(entry) {
      const write = queue.then(async () => {
        await mkdir(path.dirname(file), { recursive: true });
        await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
        const handle = await open(file, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      queue = write.catch(() => {});
      return write;
    },
    async list(limit) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const entries: AuditEntry[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          entries.push(JSON.parse(line) as AuditEntry);
        } catch {
          // A line cut short by a crash is skipped, not fatal.
        }
      }
      return entries.reverse().slice(0, limit);
    },
  };
}
