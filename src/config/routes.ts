// Route lists (`notify: [dba]` on entities, groups and notify.default) must name channels that
// exist under `notify:`; each unknown name is reported at its place in the list.
import { rawChannels } from '../alerts/channel-registry.ts';
import type { ConfigIssue } from './errors.ts';
import { pathToPointer } from './positions.ts';
import { didYouMean } from './suggest.ts';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function listIssues(list: unknown, path: (string | number)[], known: readonly string[]): ConfigIssue[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((name, i): ConfigIssue[] => {
    if (typeof name !== 'string' || known.includes(name)) return [];
    const where = [...path, i];
    const hint = didYouMean(name, known) || (known.length > 0 ? ` (channels: ${known.join(', ')})` : ' (no channel is configured under notify)');
    return [{ path: where, at: 'value', message: `${pathToPointer(where)}: unknown channel '${name}'${hint}` }];
  });
}

/** Unknown channel names in notify.default, groups.*.notify and entities.*.notify. */
export function routeIssues(data: Raw): ConfigIssue[] {
  const known = isObject(data.notify) ? rawChannels(data.notify).map((c) => c.name) : [];
  const issues: ConfigIssue[] = [];
  if (isObject(data.notify)) issues.push(...listIssues(data.notify.default, ['notify', 'default'], known));
  for (const section of ['groups', 'entities'] as const) {
    const map = data[section];
    if (!isObject(map)) continue;
    for (const [name, value] of Object.entries(map)) {
      if (isObject(value)) issues.push(...listIssues(value.notify, [section, name, 'notify'], known));
    }
  }
  return issues;
}
