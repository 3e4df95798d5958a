// Checks the schema cannot express: addresses that must really parse, combinations that cannot
// work. Each check type and channel states its own rules (`validate`); this walks the file.
import { channelType, isChannelName, rawChannels } from '../alerts/channel-registry.ts';
import { checkType, isEntityType } from '../checks/registry.ts';
import type { ConfigIssue } from './errors.ts';
import { routeIssues } from './routes.ts';
import { urlIssue } from './rules.ts';

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
  if (isObject(data.entities)) {
    for (const [name, entity] of Object.entries(data.entities)) {
      if (!isObject(entity) || !isEntityType(entity.type)) continue;
      issues.push(...(checkType(entity.type).validate?.(entity, (...field) => ['entities', name, ...field]) ?? []));
    }
  }
  return issues.filter((issue) => !skip(issue.path));
}
