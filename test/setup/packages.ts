// The Debian packages the test suite needs, in one list: `npm test` checks each `needs` and,
// as root on Debian, installs the missing packages with apt-get. A new need is one more line.
import { INITDB_PATTERN } from '../helpers/cluster.ts';

export interface Requirement {
  /** The Debian package that provides it. */
  readonly pkg: string;
  /** A command looked up on PATH, or an absolute path (a glob pattern is fine) that must exist. */
  readonly needs: string;
  /** What in the suite uses it, for the message when it is missing. */
  readonly usedBy: string;
}

export const REQUIREMENTS: readonly Requirement[] = [
  { pkg: 'iputils-ping', needs: 'ping', usedBy: 'ping checks' },
  { pkg: 'iproute2', needs: 'ip', usedBy: 'the silent-host ping test (a private network namespace)' },
  { pkg: 'openssl', needs: 'openssl', usedBy: 'TLS test certificates' },
  { pkg: 'chromium', needs: '/usr/bin/chromium', usedBy: 'the web page tests (headless)' },
  { pkg: 'postgresql', needs: INITDB_PATTERN, usedBy: "the suite's own PostgreSQL cluster (initdb, pg_ctl)" },
  { pkg: 'libjemalloc2', needs: '/usr/lib/*-linux-gnu/libjemalloc.so.2', usedBy: "the Docker image's allocator (the image test runs its CMD with it)" },
  { pkg: 'monitoring-plugins-basic', needs: '/usr/lib/nagios/plugins/check_dummy', usedBy: 'command checks with Nagios plugins' },
];
