// Checks the schema cannot express: addresses that must really parse, combinations that cannot
// work. Each check type and channel states its own rules (`validate`); this walks the file.
import { channelType, isChannelName, rawChannels } from '../alerts/channel-registry.ts';
import { checkType, isEntityType } from '../checks/registry.ts';
import type { ConfigIssue } from './errors.ts';
import { routeIssues } from './routes.ts';
import { urlIssue } from './rules.ts';
import { pathToPointer } from './positions.ts';
import { DEFAULT_FLAP } from '../monitor/flapping.ts';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flapping that would stop before it starts is a mistake. */
function flapIssues(flap: unknown, path: (string | number)[]): ConfigIssue[] {
  if (!isObject(flap)) return [];
  const low = typeof flap.low === 'number' ? flap.low : DEFAULT_FLAP.low;
  const high = typeof flap.high === 'number' ? flap.high : DEFAULT_FLAP.high;
  if (low <= high) return [];
  return [{ path, at: 'value', message: `${pathToPointer(path)}: low (${low}) must not be above high (${high})` }];
}

/**
 * Runs on raw data that may have failed the schema, so every access is guarded; `skip` holds the
 * JSON pointers the schema already complained about, so one mistake yields one message.
 */
export function checkSemantics(data: unknown, skip: (path: readonly (string | number)[]) => boolean): ConfigIssue[] {
  if (!isObject(data)) return [];
  const issues: ConfigIssue[] = [...urlIssue(data.public_url, ['public_url'])];
  if (isObject(data.notify)) {
    for (const { name, type, section } of rawChannels(data.notify)) {
      if (!isChannelName(type)) continue;
      issues.push(...(channelType(type).validate?.(section, (...field) => ['notify', name, ...field]) ?? []));
    }
  }
  issues.push(...routeIssues(data));
  if (isObject(data.defaults)) issues.push(...flapIssues(data.defaults.flapping, ['defaults', 'flapping']));
  if (isObject(data.entities)) {
    for (const [name, entity] of Object.entries(data.entities)) {
      if (!isObject(entity) || !isEntityType(entity.type)) continue;
      issues.push(...(checkType(entity.type).validate?.(entity, (...field) => ['entities', name, ...field]) ?? []));
      issues.push(...flapIssues(entity.flapping, ['entities', name, 'flapping']));
    }
  }
  return issues.filter((issue) => !skip(issue.path));
}
