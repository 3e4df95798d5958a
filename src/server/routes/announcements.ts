// GET /announcements[?current=true], POST /announcements and DELETE /announcements/:id (writes
// need the editor role).
import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { readBody } from '../body.ts';
import { requireRole } from '../../auth/identity.ts';
import { AnnouncementError } from '../../status/announcements.ts';
import type { Announcements } from '../../status/announcements.ts';
import type { Announcement } from '../../types.ts';

/** Announcements are short: a larger body is refused with 413. */
const BODY_LIMIT = 64 * 1024;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const announcementDocument = (a: Announcement) => ({ ...a, start: iso(a.start), end: iso(a.end) });

async function mapErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AnnouncementError) throw new HttpError(err.status, err.message);
    throw err;
  }
}

export function announcementRoutes(router: Router, announcements: Announcements, now: () => number): void {
  router.get('/announcements', async (ctx) => {
    const list = ctx.query.current === 'true' ? await announcements.current(now()) : await announcements.all();
    ctx.body = list.map(announcementDocument);
  });

  router.post('/announcements', requireRole('editor'), async (ctx) => {
    const { data: input } = await readBody(ctx, BODY_LIMIT);
    ctx.status = 201;
    ctx.body = announcementDocument(await mapErrors(() => announcements.add(input)));
  });

  router.delete('/announcements/:id', requireRole('editor'), async (ctx) => {
    const id = ctx.params.id!;
    if (!(await mapErrors(() => announcements.remove(id)))) throw new HttpError(404, `no announcement with id '${id}'`);
    ctx.status = 204;
  });
}
