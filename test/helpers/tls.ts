// Test certificates made with the openssl CLI at test time (nothing checked in that expires).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DAY_MS = 86_400_000;

export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

export interface TestCertificates {
  /** A CA to trust in tests; it signed `expired` and `expiring`. */
  readonly ca: string;
  /** Self-signed leaf for 127.0.0.1, valid for 30 days, trusted by nobody. */
  readonly selfSigned: KeyPair;
  /** Leaf signed by `ca` whose validity ended yesterday. */
  readonly expired: KeyPair;
  /** Leaf signed by `ca` that expires in 5 days and 1 hour. */
  readonly expiring: KeyPair;
  /** Leaf signed by `ca`, valid for a year. */
  readonly valid: KeyPair;
  remove(): Promise<void>;
}

/** OpenSSL 3.0's `x509 -req` cannot set start and end dates; `openssl ca` can. */
const CA_CONFIG = `
[ca]
default_ca = test_ca
[test_ca]
database = DIR/index.txt
new_certs_dir = DIR
serial = DIR/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
`;

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const SAN = ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];

/** `openssl ca` date form: YYYYMMDDHHMMSSZ. */
function asn1Time(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export async function createTestCertificates(now = Date.now()): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'pulsemap-tls-'));
  const path = (name: string) => join(dir, name);
  await writeFile(path('ca.cnf'), CA_CONFIG.replaceAll('DIR', dir));
  await writeFile(path('index.txt'), '');
  await writeFile(path('serial'), '1000\n');

  await run('openssl', ['req', '-x509', ...EC, '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '30', '-subj', '/CN=pulsemap test CA']);
  await run('openssl', ['req', '-x509', ...EC, ...SAN, '-keyout', path('self.key'), '-out', path('self.pem'), '-days', '30', '-subj', '/CN=127.0.0.1']);

  const signed = async (name: string, from: number, to: number): Promise<KeyPair> => {
    await run('openssl', ['req', '-new', ...EC, ...SAN, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', '/CN=127.0.0.1']);
    await run('openssl', [
      'ca', '-batch', '-notext', '-config', path('ca.cnf'), '-cert', path('ca.pem'), '-keyfile', path('ca.key'),
      '-in', path(`${name}.csr`), '-out', path(`${name}.pem`), '-startdate', asn1Time(from), '-enddate', asn1Time(to),
    ]);
    return { key: await readFile(path(`${name}.key`), 'utf8'), cert: await readFile(path(`${name}.pem`), 'utf8') };
  };

  return {
    ca: await readFile(path('ca.pem'), 'utf8'),
    selfSigned: { key: await readFile(path('self.key'), 'utf8'), cert: await readFile(path('self.pem'), 'utf8') },
    expired: await signed('expired', now - 30 * DAY_MS, now - DAY_MS),
    expiring: await signed('expiring', now - DAY_MS, now + 5 * DAY_MS + 3_600_000),
    valid: await signed('valid', now - DAY_MS, now + 365 * DAY_MS),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
