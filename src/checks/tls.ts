// tls check: the certificate a TLS server presents (no HTTP request): days left, a chain the
// system trusts, a name that matches. Degraded under CERT_WARNING_DAYS, like the api check.
import { isIP } from 'node:net';
import { checkServerIdentity, connect } from 'node:tls';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { CheckOutcome, EntityBase, ExtraValue } from '../domain.ts';
import { hostIssue } from '../config/rules.ts';
import type { CheckContext, CheckType, RawFields } from './check-type.ts';
import { describeError } from './errors.ts';
import { formatMs, truncate } from './format.ts';
import { CERT_WARNING_DAYS, certificateDaysLeft, certificateWarning } from './http.ts';
import { failure, success } from './outcome.ts';
import { hostPort } from './tcp.ts';

export interface TlsEntity extends EntityBase {
  readonly type: 'tls';
  readonly host: string;
  readonly port: number;
  /** The name asked for (SNI) and matched against the certificate. */
  readonly servername: string;
}

/** Latency is the TCP connect plus the TLS handshake. */
export async function checkTls(entity: TlsEntity, ctx: CheckContext): Promise<CheckOutcome> {
  const started = performance.now();
  let socket: TLSSocket | undefined;
  const cut = (): void => { socket?.destroy(); };
  ctx.signal.addEventListener('abort', cut, { once: true });
  try {
    // The chain is judged below rather than refused here, so an untrusted certificate still tells its days.
    socket = connect({
      host: entity.host, port: entity.port, rejectUnauthorized: false,
      ...(isIP(entity.servername) ? {} : { servername: entity.servername }),
    });
    await new Promise<void>((resolve, reject) => {
      socket!.once('secureConnect', resolve).once('error', reject)
        .once('close', () => reject(ctx.signal.aborted ? ctx.signal.reason : new Error('connection closed during the TLS handshake')));
    });
    const latency = Math.round(performance.now() - started);
    return judge(entity, socket, latency);
  } catch (err) {
    return failure(describeError(err, ctx.signal, entity.timeout, []));
  } finally {
    ctx.signal.removeEventListener('abort', cut);
    cut();
  }
}

function judge(entity: TlsEntity, socket: TLSSocket, latency: number): CheckOutcome {
  const cert: PeerCertificate = socket.getPeerCertificate();
  const extra: Record<string, ExtraValue> = {};
  const days = certificateDaysLeft(cert, Date.now());
  if (days !== null) extra.cert_days = days;
  // Node reports a name mismatch as the authorization error too; it is told below, with the names.
  const chainError = socket.authorized ? null : String(socket.authorizationError);
  if (chainError !== null && chainError !== 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const text = describeError({ code: chainError }, new AbortController().signal, entity.timeout, []);
    const ago = Math.floor((Date.now() - Date.parse(cert.valid_to)) / 86_400_000);
    return failure(chainError === 'CERT_HAS_EXPIRED' && ago >= 0 ? `${text} (${ago === 0 ? 'today' : `${ago} day${ago === 1 ? '' : 's'} ago`})` : text, extra, latency);
  }
  if (chainError !== null || checkServerIdentity(entity.servername, cert) !== undefined) {
    return failure(`certificate does not match ${entity.servername} (it is for ${certificateNames(cert)})`, extra, latency);
  }
  const issuer = typeof cert.issuer?.CN === 'string' ? `, issued by ${truncate(cert.issuer.CN, 60)}` : '';
  const warnings = days !== null && days < CERT_WARNING_DAYS ? [certificateWarning(days)] : [];
  const left = days === null ? 'certificate valid' : `certificate valid for ${days} day${days === 1 ? '' : 's'}`;
  return success(`${left}${issuer}, handshake in ${formatMs(latency)} ms`, latency, extra, warnings);
}

/** The names a certificate is for: its subjectAltName entries, else its common name. */
function certificateNames(cert: PeerCertificate): string {
  const alt = cert.subjectaltname?.split(', ').map((n) => n.replace(/^(DNS|IP Address):/, ''));
  const names = alt && alt.length > 0 ? alt : [String(cert.subject?.CN ?? 'an unnamed subject')];
  return truncate(names.join(', '), 80);
}

export const tls: CheckType<TlsEntity> = {
  build(raw: RawFields, base) {
    const host = raw.host as string;
    const port = (raw.port as number | undefined) ?? 443;
    const servername = (raw.servername as string | undefined) ?? host;
    return { ...base, type: 'tls', target: hostPort(host, port), host, port, servername };
  },
  validate: (raw, at) => hostIssue(raw.host, at('host')),
  secrets: () => [],
  check: checkTls,
  figure: (_entity, state) => {
    const days = state.extra.cert_days;
    return { text: typeof days === 'number' ? `${days} d left` : '— d left', slot: '00000 d left' };
  },
  hiddenFigures: ['cert_days'],
};
