// `pulsemap report --month YYYY-MM [--format json|csv] [--config FILE] [--data DIR] [--store URL]`:
// print the monthly report from the store, without starting the service.
import { parseArgs } from 'node:util';
import { ConfigError, formatProblem, loadConfig } from '../config/load.ts';
import { openStore } from '../store/open.ts';
import { buildReport, monthRange, reportCsv } from '../report/report.ts';

const usage = 'usage: pulsemap report --month YYYY-MM [--format json|csv] [--config FILE] [--data DIR] [--store URL]\n';

export const reportCommand = {
  summary: 'print the monthly availability report (JSON or CSV)',

  /** Exit codes: 0 printed, 1 invalid configuration or unreadable store, 2 usage. */
  async run(args: string[], now: () => number = Date.now): Promise<number> {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        options: { month: { type: 'string', short: 'm' }, format: { type: 'string', short: 'f' }, config: { type: 'string', short: 'c' }, data: { type: 'string' }, store: { type: 'string' } },
        strict: true,
      }));
    } catch (err) {
      process.stderr.write(`pulsemap report: ${err instanceof Error ? err.message : String(err)}\n${usage}`);
      return 2;
    }
    const format = values.format ?? 'json';
    if (values.month === undefined || monthRange(values.month) === null || (format !== 'json' && format !== 'csv')) {
      process.stderr.write(`pulsemap report: ${values.month === undefined ? '--month is required' : monthRange(values.month) === null ? `'${values.month}' is not a month (YYYY-MM)` : `unknown format '${format}' (json or csv)`}\n${usage}`);
      return 2;
    }
    const env = process.env;
    let config;
    try {
      config = await loadConfig(values.config ?? env.PULSEMAP_CONFIG ?? './entities.yaml', env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.problems.map(formatProblem).join('\n')}\n`);
      return 1;
    }
    let report;
    try {
      const store = await openStore({ url: values.store ?? env.PULSEMAP_STORE ?? null, dir: values.data ?? env.PULSEMAP_DATA ?? 'data' });
      try {
        report = await buildReport(store, config.entities, values.month, now());
      } finally {
        await store.close();
      }
    } catch (err) {
      process.stderr.write(`pulsemap report: cannot read the store: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    process.stdout.write(format === 'csv' ? reportCsv(report) : `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  },
};
