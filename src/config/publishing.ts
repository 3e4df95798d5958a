// Status pages, announcements and badges in entities.yaml: their raw shapes, the checks the
// schema cannot make (listed names must exist, times must parse), and the defaulted values.
import type { Announcement, Severity, StatusPage } from '../types.ts';
import type { ConfigIssue } from './errors.ts';
import { didYouMean } from './suggest.ts';

interface RawStatusPage {
  title: string;
  description?: string;
  entities?: string[];
  groups?: string[];
  show_latency?: boolean;
  show_map?: boolean;
}

interface RawAnnouncement {
  title: string;
  body?: string;
  severity?: Severity;
  start?: string;
  end?: string;
  pages?: string[];
}

export interface RawPublishing {
  status_pages?: Record<string, RawStatusPage>;
  announcements?: RawAnnouncement[];
  badges?: 'listed' | 'all';
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Whether a time written in the file reads as one. */
export const parseTime = (text: string): number | null => {
  const t = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(t) ? t : null;
};

/** Runs on raw data that may have failed the schema; `skip` as in semantic.ts. */
export function checkPublishing(data: unknown, skip: (path: (string | number)[]) => boolean): ConfigIssue[] {
  if (!isObject(data)) return [];
  const issues: ConfigIssue[] = [];
  const add = (path: (string | number)[], message: string) => { if (!skip(path)) issues.push({ path, at: 'value', message }); };
  const entities = isObject(data.entities) ? data.entities : {};
  const names = Object.keys(entities);
  const groups = new Set(Object.values(entities).flatMap((e) => (isObject(e) && typeof e.group === 'string' ? [e.group] : [])));
  const hasGroup = (g: string) => [...groups].some((x) => x === g || x.startsWith(`${g}/`));
  const pages = isObject(data.status_pages) ? data.status_pages : {};
  for (const [slug, page] of Object.entries(pages)) {
    if (!isObject(page)) continue;
    strings(page.entities).forEach((name, i) => {
      if (!Object.hasOwn(entities, name)) add(['status_pages', slug, 'entities', i], `status page ${slug}: unknown entity '${name}'${didYouMean(name, names)}`);
    });
    strings(page.groups).forEach((group, i) => {
      if (!hasGroup(group)) add(['status_pages', slug, 'groups', i], `status page ${slug}: no entity is in group '${group}'${didYouMean(group, [...groups])}`);
    });
  }
  (Array.isArray(data.announcements) ? data.announcements : []).forEach((a, i) => {
    if (!isObject(a)) return;
    for (const key of ['start', 'end'] as const) {
      if (typeof a[key] === 'string' && parseTime(a[key]) === null) add(['announcements', i, key], `/announcements/${i}/${key} is not an ISO 8601 time (2026-12-05T02:00:00Z)`);
    }
    if (typeof a.start === 'string' && typeof a.end === 'string' && (parseTime(a.end) ?? Infinity) <= (parseTime(a.start) ?? -Infinity)) {
      add(['announcements', i, 'end'], `/announcements/${i}/end must be after its start`);
    }
    strings(a.pages).forEach((slug, k) => {
      if (!Object.hasOwn(pages, slug)) add(['announcements', i, 'pages', k], `announcement: unknown status page '${slug}'${didYouMean(slug, Object.keys(pages))}`);
    });
  });
  return issues;
}

export function buildPublishing(raw: RawPublishing): { status_pages: StatusPage[]; announcements: Announcement[]; badges: 'listed' | 'all' } {
  return {
    status_pages: Object.entries(raw.status_pages ?? {}).map(([slug, p]) => ({
      slug,
      title: p.title,
      description: p.description ?? null,
      entities: [...(p.entities ?? [])],
      groups: [...(p.groups ?? [])],
      show_latency: p.show_latency ?? false,
      show_map: p.show_map ?? false,
    })),
    announcements: (raw.announcements ?? []).map((a, i) => ({
      id: `config-${i + 1}`,
      title: a.title,
      body: a.body ?? '',
      severity: a.severity ?? 'info',
      start: a.start === undefined ? null : parseTime(a.start),
      end: a.end === undefined ? null : parseTime(a.end),
      pages: a.pages ? [...a.pages] : null,
    })),
    badges: raw.badges ?? 'listed',
  };
}
