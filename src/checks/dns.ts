// dns check: resolve a name as one record type, through a given server or the system's, and
// check that every expected value is among the answers.
import { lookup } from 'node:dns/promises';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CheckOutcome, EntityBase } from '../domain.ts';
import { pathToPointer } from '../config/positions.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { describeError, errorCodes, timeoutMessage } from './errors.ts';
import { formatMs, truncate } from './format.ts';
import { failure, success } from './outcome.ts';

export const DNS_RECORDS = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type DnsRecord = (typeof DNS_RECORDS)[number];

export interface DnsEntity extends EntityBase {
  readonly type: 'dns';
  /** The name to resolve (`name:` in the file; the entity's own name is its key). */
  readonly domain: string;
  readonly record: DnsRecord;
  /** `host` or `host:port` as written; null for the system resolver. */
  readonly server: string | null;
  /** Values that must all be among the answers. */
  readonly expect: readonly string[];
}

/** `host:port` (or `[v6]:port`, or a bare IPv6 address) -> host and port. */
export function parseServer(server: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 53) };
  if (isIP(server) === 6) return { host: server, port: 53 };
  const [host = '', port] = server.split(':');
  return { host, port: Number(port ?? 53) };
}

/** DNS error codes -> what they mean to a person. */
const DNS_MESSAGES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'name not found (NXDOMAIN)',
  ENODATA: 'no such record',
  ESERVFAIL: 'server failure (SERVFAIL)',
  EREFUSED: 'query refused by the server',
  ETIMEOUT: 'the DNS server did not answer',
  ECONNREFUSED: 'connection to the DNS server refused',
  EFORMERR: 'the server rejected the query as malformed',
  EBADRESP: 'malformed answer from the DNS server',
};

async function query(resolver: Resolver, name: string, record: DnsRecord): Promise<string[]> {
  switch (record) {
    case 'A': return resolver.resolve4(name);
    case 'AAAA': return resolver.resolve6(name);
    case 'CNAME': return resolver.resolveCname(name);
    case 'NS': return resolver.resolveNs(name);
    case 'MX': return (await resolver.resolveMx(name)).sort((a, b) => a.priority - b.priority).map((mx) => mx.exchange);
    case 'TXT': return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

/** Names compare without case and trailing dot; addresses as written (the resolver normalises them). */
function same(a: string, b: string): boolean {
  const norm = (v: string): string => v.toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

/** Latency is the lookup itself (resolving the server's own name, if any, is not counted). */
export async function checkDns(entity: DnsEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const remaining = (): number => Math.max(1, Math.floor(ctx.deadline - Date.now()));
  const resolver = new Resolver({ timeout: remaining(), tries: 1 });
  const cancel = (): void => resolver.cancel();
  ctx.signal.addEventListener('abort', cancel, { once: true });
  try {
    if (entity.server !== null) {
      const { host, port } = parseServer(entity.server);
      const address = isIP(host) ? host : (await lookup(host)).address;
      resolver.setServers([isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`]);
    }
    const started = performance.now();
    const answers = await query(resolver, entity.domain, entity.record);
    const latency = Math.round((performance.now() - started) * 100) / 100;
    const extra = { answers: answers.length };
    const missing = entity.expect.filter((want) => !answers.some((got) => same(got, want)));
    const shown = truncate(answers.join(', '), 100);
    if (missing.length > 0) return failure(`expected ${truncate(missing.join(', '), 60)}, got ${shown || 'no answer'}`, extra, latency);
    return success(`${entity.record} ${shown} in ${formatMs(latency)} ms`, latency, extra);
  } catch (err) {
    if (ctx.signal.aborted) return failure(describeError(err, ctx.signal, entity.timeout, []));
    const code = errorCodes(err).find((c) => c in DNS_MESSAGES);
    if (code === 'ETIMEOUT') return failure(`${timeoutMessage(entity.timeout)}: ${DNS_MESSAGES[code]}`);
    if (code === 'ENODATA') return failure(`no ${entity.record} record for ${entity.domain}`);
    return failure(code === undefined ? describeError(err, ctx.signal, entity.timeout, []) : DNS_MESSAGES[code]!);
  } finally {
    ctx.signal.removeEventListener('abort', cancel);
  }
}

export const dns: CheckType<DnsEntity> = {
  build(raw: RawFields, base) {
    const domain = raw.name as string;
    const record = (raw.record as DnsRecord | undefined) ?? 'A';
    const server = (raw.server as string | undefined) ?? null;
    return {
      ...base, type: 'dns', target: `${domain} ${record}${server === null ? '' : ` @${server}`}`,
      domain, record, server, expect: [...((raw.expect as string[] | undefined) ?? [])],
    };
  },
  validate(raw, at) {
    if (typeof raw.server !== 'string') return [];
    const { port } = parseServer(raw.server);
    return Number.isInteger(port) && port >= 1 && port <= 65535
      ? []
      : [{ path: at('server'), at: 'value', message: `${pathToPointer(at('server'))} has a port outside 1-65535` }];
  },
  secrets: () => [],
  check: checkDns,
  figure: (entity) => ({ text: entity.record, slot: 'CNAME' }),
};
