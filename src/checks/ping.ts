// ping check: one ICMP echo through the system `ping`, driven by the `ping` package.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import pingPackage from 'ping';
import type { CheckOutcome, EntityBase, Extra } from '../domain.ts';
import { hostIssue } from '../config/rules.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { describeError, timeoutMessage } from './errors.ts';
import { formatMs, toNumber, truncate } from './format.ts';
import { failure, success } from './outcome.ts';

export interface PingEntity extends EntityBase {
  readonly type: 'ping';
  readonly host: string;
}

/**
 * Time kept back from ping's own reply wait so that its answer (exit, output, parsing) arrives
 * before our deadline even on a busy machine: a quarter of what is left, within these bounds.
 */
const REPLY_MARGIN = { min: 150, max: 1000, share: 0.25 } as const;

/** How long ping may wait for a reply when `remainingMs` are left before the deadline. */
export function replyWaitMs(remainingMs: number): number {
  const margin = Math.min(REPLY_MARGIN.max, Math.max(REPLY_MARGIN.min, remainingMs * REPLY_MARGIN.share));
  return remainingMs - margin;
}

type PingResponse = Awaited<ReturnType<typeof pingPackage.promise.probe>>;

/**
 * The hostname is resolved here rather than by `ping`, so a slow DNS server counts against
 * the check's deadline and abandoning the check never leaves a ping process waiting on DNS:
 * the process we start only ever waits for its own `-W` reply timeout.
 */
export async function checkPing(entity: PingEntity, ctx: CheckContext): Promise<CheckOutcome> {
  // Validation rejects these; refusing again keeps a host from ever becoming a ping option.
  if (entity.host.startsWith('-') || entity.host.trim() === '') return failure('invalid host');
  try {
    const address = isIP(entity.host) ? entity.host : await untilAborted(lookup(entity.host), ctx.signal);
    const waitMs = replyWaitMs(ctx.deadline - Date.now());
    if (waitMs <= 0) return failure(timeoutMessage(entity.timeout));
    const response = await untilAborted(probe(typeof address === 'string' ? address : address.address, waitMs / 1000), ctx.signal);
    return judge(response);
  } catch (err) {
    if (!ctx.signal.aborted && /spawn|executing the ping program/i.test(String(err))) {
      return failure(`cannot run ping: ${truncate(String(err))}`);
    }
    return failure(describeError(err, ctx.signal, entity.timeout, []));
  }
}

/**
 * Some versions of the package set `process.env.LANG = 'C'` on every probe (1.0.0 copies the env).
 * The spawn happens synchronously inside `probe`, so restoring LANG right after the call
 * keeps the rest of the process from ever seeing the change, whatever version is installed.
 */
function probe(address: string, waitSeconds: number): Promise<PingResponse> {
  const had = Object.hasOwn(process.env, 'LANG');
  const lang = process.env.LANG;
  try {
    // v6 false: the package would run `ping6`, which newer iputils no longer ship; `ping` detects
    // the address family itself. No `deadline` (-w): it would send a probe per second until then.
    return pingPackage.promise.probe(address, { timeout: waitSeconds, min_reply: 1, numeric: true, v6: false });
  } finally {
    if (had) process.env.LANG = lang;
    else delete process.env.LANG;
  }
}

function judge(response: PingResponse): CheckOutcome {
  // The package reports figures as strings (or 'unknown') despite its typings.
  const loss = toNumber(response.packetLoss);
  const extra: Extra = loss === null ? {} : { packet_loss: loss };
  if (response.alive) {
    const time = toNumber(response.time) ?? toNumber(response.avg);
    const latency = time === null ? null : Math.round(time * 1000) / 1000;
    return success(latency === null ? 'reply received' : `reply in ${formatMs(latency)} ms`, latency, extra);
  }
  const output = response.output ?? '';
  if (/unreachable/i.test(output)) return failure('host unreachable', extra);
  if (/name or service not known|unknown host|name resolution/i.test(output)) return failure('host not found', extra);
  if (loss !== null) return failure(`${loss}% packet loss`, extra);
  const firstLine = output.split('\n').find((line) => line.trim() !== '');
  return failure(firstLine === undefined ? 'no reply' : `ping failed: ${truncate(firstLine)}`, extra);
}

export const ping: CheckType<PingEntity> = {
  build(raw: RawFields, base) {
    const host = raw.host as string;
    return { ...base, type: 'ping', target: host, host };
  },
  validate: (raw, at) => hostIssue(raw.host, at('host')),
  secrets: () => [],
  check: checkPing,
};

/** Resolves or rejects with `work`, or rejects when the signal fires; `work` is then abandoned. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
