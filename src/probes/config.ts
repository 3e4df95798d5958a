// `probes:` and the entities' `locations:` / `quorum:`: the rules the schema cannot express, and
// the built form. A probe's token is kept only as its SHA-256; the check fields a probe receives
// are the entity's fields as written, with every `${VAR}` left for the probe to expand.
import { createHash } from 'node:crypto';
import type { ConfigIssue } from '../config/errors.ts';
import type { Placement } from '../domain.ts';
import { didYouMean } from '../config/suggest.ts';

/** The site of the pulsemap instances themselves. */
export const LOCAL_SITE = 'local';

/** Seconds without a request after which a probe is shown offline, unless `offline_after` says otherwise. */
export const DEFAULT_OFFLINE_AFTER = 60;

export interface ProbeSite {
  readonly site: string;
  /** SHA-256 of the token, hex: the token itself is not kept. */
  readonly token_hash: string;
  /** Seconds without a request after which the probe is offline. */
  readonly offline_after: number;
}


export type RawProbes = Record<string, { token: string; offline_after?: number }>;

/** Fields that say how pulsemap treats a result, not how a check runs: a probe does not get them. */
const NOT_FOR_PROBES = new Set([
  'dependencies', 'locations', 'quorum', 'group', 'extra', 'description', 'notify', 'flapping',
  'failure_threshold', 'success_threshold', 'retry_interval',
]);

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function buildProbes(raw: RawProbes | undefined): ProbeSite[] {
  return Object.entries(raw ?? {}).map(([site, p]) => ({
    site, token_hash: hashToken(p.token), offline_after: p.offline_after ?? DEFAULT_OFFLINE_AFTER,
  }));
}

/** The default quorum: a majority of the sites. */
export const majority = (n: number): number => Math.floor(n / 2) + 1;

/** `written`: the entity's fields before `${VAR}` substitution. */
export function buildPlacement(raw: { locations?: string[]; quorum?: number }, written: Record<string, unknown> | undefined): Placement | null {
  if (!raw.locations) return null;
  const locations = [...raw.locations];
  const remote = locations.some((site) => site !== LOCAL_SITE);
  return {
    locations,
    quorum: raw.quorum ?? majority(locations.length),
    check: remote && written ? checkFields(written) : null,
  };
}

function checkFields(written: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(written).filter(([key]) => !NOT_FOR_PROBES.has(key)));
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Runs on raw data that may have failed the schema; `isReference(path)`: the value was written as
 * one `${VAR}`; `skip` as in semantic.ts.
 */
export function checkProbes(data: unknown, isReference: (path: (string | number)[]) => boolean, skip: (path: (string | number)[]) => boolean): ConfigIssue[] {
  if (!isObject(data)) return [];
  const issues: ConfigIssue[] = [];
  const add = (path: (string | number)[], at: 'key' | 'value', message: string) => { if (!skip(path)) issues.push({ path, at, message }); };
  const probes = isObject(data.probes) ? data.probes : {};
  for (const [site, probe] of Object.entries(probes)) {
    if (site === LOCAL_SITE) add(['probes', site], 'key', `/probes: '${LOCAL_SITE}' is the pulsemap instances themselves; give the probe's site another name`);
    if (isObject(probe) && typeof probe.token === 'string' && !isReference(['probes', site, 'token'])) {
      add(['probes', site, 'token'], 'value', `/probes/${site}/token must come from the environment: write \${NAME}, not the token itself`);
    }
  }
  const sites = Object.keys(probes).filter((s) => s !== LOCAL_SITE);
  const entities = isObject(data.entities) ? data.entities : {};
  for (const [name, entity] of Object.entries(entities)) {
    if (!isObject(entity)) continue;
    const locations = Array.isArray(entity.locations) ? entity.locations : null;
    locations?.forEach((site, i) => {
      if (typeof site !== 'string' || site === LOCAL_SITE || Object.hasOwn(probes, site)) return;
      const known = sites.length > 0 ? ` (declared: ${[LOCAL_SITE, ...sites].join(', ')})` : ` (declare it under probes:, e.g. probes: { ${site}: { token: \${PROBE_TOKEN} } })`;
      add(['entities', name, 'locations', i], 'value', `/entities/${name}/locations/${i}: unknown site '${site}'${didYouMean(site, [LOCAL_SITE, ...sites]) || known}`);
    });
    if (typeof entity.quorum === 'number') {
      const n = locations?.length ?? 1;
      if (entity.quorum > n) {
        add(['entities', name, 'quorum'], 'value', `/entities/${name}/quorum must be between 1 and the number of locations (${n})`);
      }
    }
  }
  return issues;
}
