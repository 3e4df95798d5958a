// GET /report?month=YYYY-MM[&format=csv]: the monthly availability report (src/report).
import type Router from '@koa/router';
import type { AppDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { buildReport, monthRange, reportCsv } from '../../report/report.ts';

export function reportRoutes(router: Router, deps: AppDeps, now: () => number): void {
  router.get('/report', async (ctx) => {
    const month = ctx.query.month;
    if (typeof month !== 'string' || monthRange(month) === null) throw new HttpError(400, 'month must be YYYY-MM, for example /report?month=2026-11');
    const format = ctx.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new HttpError(400, 'format must be json or csv');
    if (monthRange(month)!.from > now()) throw new HttpError(400, `month ${month} has not begun yet`);
    const report = await buildReport(deps.store, deps.monitor.config().entities, month, now());
    if (format === 'json') {
      ctx.body = report;
      return;
    }
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="pulsemap-report-${month}.csv"`);
    ctx.body = reportCsv(report);
  });
}
