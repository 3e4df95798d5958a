// Turning errors from sockets, TLS, DNS and timers into messages a person understands,
// without letting secrets through.
import { scrub } from '../secrets.ts';
import { formatSeconds, truncate } from './format.ts';

/** Node/undici error codes → message. Looked up through `cause` and `errors` chains. */
const CODE_MESSAGES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed temporarily)',
  EAI_NONAME: 'host not found',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'connection closed by peer',
  UND_ERR_SOCKET: 'connection closed by peer',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate not trusted (unknown issuer)',
  CERT_REVOKED: 'certificate has been revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is this port speaking TLS?)',
  EPROTO: 'TLS handshake failed',
  UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE: 'response too large',
  ERR_INVALID_URL: 'invalid URL',
};

/** Every error code found on the error, its causes and aggregated errors, outermost first. */
export function errorCodes(err: unknown, depth = 0): string[] {
  if (depth > 5 || typeof err !== 'object' || err === null) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, depth + 1)) : [];
  return [...own, ...errorCodes(e.cause, depth + 1), ...nested];
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export function timeoutMessage(timeoutSeconds: number): string {
  return `timeout after ${formatSeconds(timeoutSeconds)} s`;
}

/** Why a check's signal fired: its own deadline, or the caller (shutdown, reload) giving up. */
export function abortMessage(signal: AbortSignal, timeoutSeconds: number): string {
  const reason: unknown = signal.reason;
  const name = reason instanceof Error || reason instanceof DOMException ? reason.name : '';
  return name === 'TimeoutError' ? timeoutMessage(timeoutSeconds) : 'check aborted';
}

/**
 * A message for an error thrown while talking to a target. The signal comes first: once it
 * fired, whatever error the aborted operation produced is a consequence, not the cause.
 */
export function describeError(err: unknown, signal: AbortSignal, timeoutSeconds: number, secrets: readonly string[]): string {
  if (signal.aborted) return abortMessage(signal, timeoutSeconds);
  const codes = errorCodes(err);
  for (const code of codes) {
    const known = CODE_MESSAGES[code];
    if (known !== undefined) return known;
    if (code.startsWith('HPE_')) return `invalid HTTP response (${code})`;
  }
  return truncate(scrub(errorText(err), secrets), 200);
}
