// Checks the schema cannot express: addresses that must really parse, combinations that cannot work.
import { isIP } from 'node:net';
import type { ConfigIssue } from './errors.ts';
import { pathToPointer } from './positions.ts';

const HOST_RULE = "must be a hostname or an IP address (no leading '-', no spaces or shell characters)";
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * A host safe to hand to the system `ping`: the `ping` package passes it as the last argument
 * without `--`, so anything that could read as an option or carry shell syntax is refused here.
 */
export function isSafeHost(host: string): boolean {
  if (isIP(host) !== 0) return !host.startsWith('-');
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label is a mistyped IPv4 address (1.2.3.999), not a hostname.
  return labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function urlIssue(value: unknown, path: (string | number)[]): ConfigIssue[] {
  if (typeof value !== 'string') return [];
  let ok = URL.canParse(value);
  // `http://` alone parses in some engines as a URL with an empty host; a check needs a host.
  if (ok && /^https?:/i.test(value)) ok = new URL(value).hostname !== '';
  return ok ? [] : [{ path, at: 'value', message: `${pathToPointer(path)} is not a valid URL` }];
}

/**
 * Runs on raw data that may have failed the schema, so every access is guarded; `skip` holds the
 * JSON pointers the schema already complained about, so one mistake yields one message.
 */
export function checkSemantics(data: unknown, skip: (path: (string | number)[]) => boolean): ConfigIssue[] {
  if (!isObject(data)) return [];
  const issues: ConfigIssue[] = [];
  const check = (path: (string | number)[], found: () => ConfigIssue[]): void => {
    if (!skip(path)) issues.push(...found());
  };
  check(['public_url'], () => urlIssue(data.public_url, ['public_url']));
  if (isObject(data.notify)) {
    const { telegram, webhook } = data.notify;
    if (isObject(telegram)) check(['notify', 'telegram', 'api_url'], () => urlIssue(telegram.api_url, ['notify', 'telegram', 'api_url']));
    if (isObject(webhook)) check(['notify', 'webhook', 'url'], () => urlIssue(webhook.url, ['notify', 'webhook', 'url']));
  }
  if (!isObject(data.entities)) return issues;
  for (const [name, entity] of Object.entries(data.entities)) {
    if (!isObject(entity)) continue;
    const at = (...rest: string[]): (string | number)[] => ['entities', name, ...rest];
    if (entity.type === 'api' || entity.type === 'database') check(at('url'), () => urlIssue(entity.url, at('url')));
    if (entity.type === 'ping' && typeof entity.host === 'string') {
      check(at('host'), () => (isSafeHost(entity.host as string) ? [] : [{ path: at('host'), at: 'value', message: `${pathToPointer(at('host'))} ${HOST_RULE}` }]));
    }
    if (entity.type === 'api' && entity.body !== undefined) {
      const method = typeof entity.method === 'string' ? entity.method : 'GET';
      if (method === 'GET' || method === 'HEAD') {
        check(at('body'), () => [{ path: at('body'), at: 'key', message: `${pathToPointer(at('body'))} is not allowed with method ${method}` }]);
      }
    }
  }
  return issues;
}
