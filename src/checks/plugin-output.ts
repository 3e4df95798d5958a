// Pure reading of Nagios plugin output (the Monitoring Plugins Development Guidelines):
//   TEXT OUTPUT | PERFDATA
//   LONG TEXT ...
//   more long text | MORE PERFDATA
//   MORE PERFDATA
// with performance data as `'label'=value[UOM];[warn];[crit];[min];[max]`, space separated.
import type { ExtraValue } from '../domain.ts';

export interface PluginOutput {
  /** The first line's text, before any `|`. */
  readonly message: string;
  /** label -> value, a number when it has no unit, else value and unit as written (`2643MB`, `95%`). */
  readonly perfdata: Readonly<Record<string, ExtraValue>>;
}

const METRIC = /('(?:[^']|'')+'|[^\s=']+)=(\S*)/g;
const VALUE = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)([A-Za-z%]*)$/;

export function parsePluginOutput(output: string): PluginOutput {
  const [first = '', ...rest] = output.replace(/\r\n/g, '\n').split('\n');
  const bar = first.indexOf('|');
  const message = (bar === -1 ? first : first.slice(0, bar)).trim();
  let perf = bar === -1 ? '' : first.slice(bar + 1);
  const more = rest.join('\n');
  const moreBar = more.indexOf('|');
  if (moreBar !== -1) perf += ` ${more.slice(moreBar + 1)}`;
  return { message, perfdata: parsePerfdata(perf) };
}

export function parsePerfdata(text: string): Record<string, ExtraValue> {
  const out: Record<string, ExtraValue> = {};
  for (const [, rawLabel, rawValue] of text.matchAll(METRIC)) {
    const label = rawLabel!.startsWith("'") ? rawLabel!.slice(1, -1).replace(/''/g, "'") : rawLabel!;
    const match = VALUE.exec(rawValue!.split(';')[0]!);
    if (!match || label === '') continue;
    const [, number, unit] = match;
    out[label] = unit === '' ? Number(number) : `${number}${unit}`;
  }
  return out;
}
