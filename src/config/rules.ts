// Rules the schema cannot express, shared by the check types and channels that need them.
import { isIP } from 'node:net';
import type { ConfigIssue } from './errors.ts';
import { pathToPointer } from './positions.ts';

export const HOST_RULE = "must be a hostname or an IP address (no leading '-', no spaces or shell characters)";
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * A host safe to hand to a program as an argument: the `ping` package passes it as the last
 * argument without `--`, so anything that could read as an option or carry shell syntax is refused.
 */
export function isSafeHost(host: string): boolean {
  if (isIP(host) !== 0) return !host.startsWith('-');
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label is a mistyped IPv4 address (1.2.3.999), not a hostname.
  return labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

/** The host rule as an issue list: empty when `value` is not a string (the schema said so) or is safe. */
export function hostIssue(value: unknown, path: (string | number)[]): ConfigIssue[] {
  if (typeof value !== 'string' || isSafeHost(value)) return [];
  return [{ path, at: 'value', message: `${pathToPointer(path)} ${HOST_RULE}` }];
}

export function urlIssue(value: unknown, path: (string | number)[]): ConfigIssue[] {
  if (typeof value !== 'string') return [];
  let ok = URL.canParse(value);
  // `http://` alone parses in some engines as a URL with an empty host; a check needs a host.
  if (ok && /^https?:/i.test(value)) ok = new URL(value).hostname !== '';
  return ok ? [] : [{ path, at: 'value', message: `${pathToPointer(path)} is not a valid URL` }];
}
