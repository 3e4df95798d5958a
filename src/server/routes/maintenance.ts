// Maintenance windows: GET /maintenance lists the file's and the posted ones; POST /maintenance
// opens one now ("group payments, 2 h, reason ..."); DELETE /maintenance/:id ends a posted one
// early. Writes need the editor role.
import type Router from '@koa/router';
import { identityOf, requireRole } from '../../auth/identity.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { MaintenanceError } from '../../maintenance/service.ts';
import type { MaintenanceService } from '../../maintenance/service.ts';
import type { MaintenanceWindow } from '../../maintenance/window.ts';
import { nextChange } from '../../maintenance/window.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One window as the API shows it: its schedule, whether it is open, and its current or next opening. */
export function windowDocument(w: MaintenanceWindow, service: MaintenanceService, now: number) {
  const opening = service.openingOf(w);
  const s = w.schedule;
  const nextStart = opening === null && s.kind === 'cron' ? nextChange(w, now) : null;
  return {
    id: w.id, name: w.name, source: w.source, by: w.by, reason: w.reason,
    entities: [...w.entities], groups: [...w.groups],
    schedule: s.kind === 'once'
      ? { kind: 'once' as const }
      : { kind: 'cron' as const, cron: s.cron, duration: s.duration / 1000, timezone: s.timezone },
    open: opening !== null,
    start: iso(opening?.start ?? (s.kind === 'once' ? s.start : nextStart)),
    end: iso(opening?.end ?? (s.kind === 'once' ? s.end : nextStart === null ? null : nextStart + s.duration)),
    covers: service.scope(w),
  };
}

export function maintenanceRoutes(router: Router, service: MaintenanceService, now: () => number): void {
  router.get('/maintenance', (ctx) => {
    ctx.body = service.windows().map((w) => windowDocument(w, service, now()));
  });

  router.post('/maintenance', requireRole('editor'), async (ctx) => {
    const { data } = await readBody(ctx, 16 * 1024);
    const id = identityOf(ctx);
    try {
      const window = await service.add(data, id.name ?? 'api token');
      ctx.status = 201;
      ctx.body = windowDocument(window, service, now());
    } catch (err) {
      if (err instanceof MaintenanceError) throw new HttpError(err.status, err.message);
      throw err;
    }
  });

  router.delete('/maintenance/:id', requireRole('editor'), async (ctx) => {
    const id = ctx.params.id!;
    const outcome = await service.end(id, identityOf(ctx).name ?? 'api token');
    if (outcome === 'missing') throw new HttpError(404, `no open or planned maintenance window with id '${id}'`);
    if (outcome === 'config') throw new HttpError(409, `maintenance '${id}' is written in entities.yaml: change or remove it there`);
    ctx.status = 204;
  });
}
