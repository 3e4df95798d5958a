// Announcements: those in entities.yaml plus those posted through the API, which are kept in
// the store's meta area (one small JSON list) so they survive a restart on either engine.
import { randomUUID } from 'node:crypto';
import type { Announcement, Config, Severity } from '../types.ts';
import { SEVERITIES } from '../types.ts';
import type { Store } from '../store/store.ts';
import { parseTime } from '../config/publishing.ts';

const META_KEY = 'announcements';
const MAX_POSTED = 200;

export class AnnouncementError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface Announcements {
  /** Current at `now` (started, not ended); on `page` only those for every page or for it. */
  current(now: number, page?: string): Promise<Announcement[]>;
  /** Every announcement, the file's first. */
  all(): Promise<Announcement[]>;
  /** Validates a posted document; throws AnnouncementError (400) with a message per problem. */
  add(input: unknown): Promise<Announcement>;
  /** false when there is no posted announcement with that id; 409 for one from the file. */
  remove(id: string): Promise<boolean>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, key: string, max: number, required: boolean): string {
  if (v === undefined && !required) return '';
  if (typeof v !== 'string' || (required && v.trim() === '')) throw new AnnouncementError(400, `${key} must be a${required ? ' non-empty' : ''} string`);
  if (v.length > max) throw new AnnouncementError(400, `${key} must be at most ${max} characters`);
  return v;
}

function time(v: unknown, key: string): number | null {
  if (v === undefined || v === null) return null;
  const t = typeof v === 'string' ? parseTime(v) : null;
  if (t === null) throw new AnnouncementError(400, `${key} must be an ISO 8601 time such as 2026-12-05T02:00:00Z`);
  return t;
}

/** A posted document -> an announcement (without id), or a 400 saying what is wrong. */
export function parseAnnouncement(input: unknown, pages: readonly string[]): Omit<Announcement, 'id'> {
  if (!isObject(input)) throw new AnnouncementError(400, 'expected a JSON object with title, body, severity, start, end, pages');
  const unknown = Object.keys(input).filter((k) => !['title', 'body', 'severity', 'start', 'end', 'pages'].includes(k));
  if (unknown.length > 0) throw new AnnouncementError(400, `unknown field ${unknown.map((k) => `'${k}'`).join(', ')}`);
  const severity = input.severity ?? 'info';
  if (!(SEVERITIES as readonly unknown[]).includes(severity)) throw new AnnouncementError(400, `severity must be one of ${SEVERITIES.join(', ')}`);
  const start = time(input.start, 'start');
  const end = time(input.end, 'end');
  if (start !== null && end !== null && end <= start) throw new AnnouncementError(400, 'end must be after start');
  let list: string[] | null = null;
  if (input.pages !== undefined && input.pages !== null) {
    if (!Array.isArray(input.pages) || !input.pages.every((p) => typeof p === 'string')) throw new AnnouncementError(400, 'pages must be a list of status page slugs');
    const missing = input.pages.filter((p) => !pages.includes(p));
    if (missing.length > 0) throw new AnnouncementError(400, `unknown status page ${missing.map((p) => `'${p}'`).join(', ')}`);
    list = [...input.pages];
  }
  return { title: text(input.title, 'title', 200, true), body: text(input.body, 'body', 5000, false), severity: severity as Severity, start, end, pages: list };
}

export function isCurrent(a: Announcement, now: number, page?: string): boolean {
  return (a.start === null || a.start <= now) && (a.end === null || now < a.end) && (page === undefined || a.pages === null || a.pages.includes(page));
}

export function createAnnouncements(store: Store, config: () => Config): Announcements {
  // Writes one after another: each reads the list, changes it and writes it back.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  async function posted(): Promise<Announcement[]> {
    const raw = await store.getMeta(META_KEY);
    return raw === null ? [] : (JSON.parse(raw) as Announcement[]);
  }

  const all = async () => [...config().announcements, ...(await posted())];

  return {
    all,
    async current(now, page) {
      return (await all()).filter((a) => isCurrent(a, now, page));
    },
    add(input) {
      const parsed = parseAnnouncement(input, config().status_pages.map((p) => p.slug));
      return serial(async () => {
        const list = await posted();
        if (list.length >= MAX_POSTED) throw new AnnouncementError(409, `at most ${MAX_POSTED} announcements may be posted; delete old ones first`);
        const a: Announcement = { id: randomUUID(), ...parsed };
        await store.setMeta(META_KEY, JSON.stringify([...list, a]));
        return a;
      });
    },
    remove(id) {
      if (config().announcements.some((a) => a.id === id)) {
        return Promise.reject(new AnnouncementError(409, `announcement ${id} is written in the configuration file; remove it there`));
      }
      return serial(async () => {
        const list = await posted();
        const kept = list.filter((a) => a.id !== id);
        if (kept.length === list.length) return false;
        await store.setMeta(META_KEY, JSON.stringify(kept));
        return true;
      });
    },
  };
}
