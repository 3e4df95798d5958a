// Whether and how this process joins a cluster: `cluster:` in entities.yaml or PULSEMAP_CLUSTER,
// only with the PostgreSQL store; its id; and the hash that tells instances' files apart.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { ClusterConfig, Config } from '../types.ts';

export class ClusterSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterSetupError';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The cluster to join, or null to run alone; throws when it cannot be joined as asked. */
export function clusterSettings(config: Config, envName: string | null, storeUrl: string | null): ClusterConfig | null {
  const name = envName || config.cluster?.name;
  if (!name) return null;
  if (!NAME.test(name)) throw new ClusterSetupError(`cluster name '${name}' must be 1-63 letters, digits, '_', '.' or '-'`);
  if (!storeUrl || !/^postgres(ql)?:\/\//.test(storeUrl)) {
    throw new ClusterSetupError(`cluster '${name}' needs the PostgreSQL store: start with --store postgres://... (or PULSEMAP_STORE)`);
  }
  return { name, lease: config.cluster?.lease ?? 10 };
}

/** `--instance NAME`, or hostname-pid. */
export function instanceName(given: string | null): string {
  if (given !== null) {
    if (!NAME.test(given)) throw new ClusterSetupError(`instance name '${given}' must be 1-63 letters, digits, '_', '.' or '-'`);
    return given;
  }
  return `${os.hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
}

/** First 16 hex digits of the file's SHA-256: equal files, equal hashes. */
export function configHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
}
