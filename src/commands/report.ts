// `pulsemap report --month YYYY-MM [--format json|csv] [--config FILE] [--data DIR] [--store URL]`:
// print the monthly report from the store, without starting the service.
import { commandArgs } from './args.ts';
import { configOrProblems, readStore } from './offline.ts';
import { buildReport, monthRange, reportCsv } from '../report/report.ts';

const usage = 'usage: pulsemap report --month YYYY-MM [--format json|csv] [--config FILE] [--data DIR] [--store URL]\n';

export const reportCommand = {
  summary: 'print the monthly availability report (JSON or CSV)',
  usage,

  /** Exit codes: 0 printed, 1 invalid configuration or unreadable store, 2 usage. */
  async run(args: string[], now: () => number = Date.now): Promise<number> {
    const parsed = commandArgs('report', usage, args, {
      month: { type: 'string', short: 'm' }, format: { type: 'string', short: 'f' }, config: { type: 'string', short: 'c' }, data: { type: 'string' }, store: { type: 'string' },
    });
    if (parsed === null) return 2;
    const { values } = parsed;
    const format = values.format ?? 'json';
    if (values.month === undefined || monthRange(values.month) === null || (format !== 'json' && format !== 'csv')) {
      process.stderr.write(`pulsemap report: ${values.month === undefined ? '--month is required' : monthRange(values.month) === null ? `'${values.month}' is not a month (YYYY-MM)` : `unknown format '${format}' (json or csv)`}\n${usage}`);
      return 2;
    }
    const config = await configOrProblems(values, process.env);
    if (config === null) return 1;
    const read = await readStore('report', values, process.env, (store) => buildReport(store, config.entities, values.month!, now()));
    if (read === null) return 1;
    const report = read.value;
    process.stdout.write(format === 'csv' ? reportCsv(report) : `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  },
};
