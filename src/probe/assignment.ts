// What a server assigns to a probe, and how an assigned definition becomes a runnable entity: it
// goes through the same loader as entities.yaml (the probe's own environment fills `${VAR}`), so a
// probe runs exactly what the server would, and refuses what the server's loader would refuse.
import { stringify } from 'yaml';
import type { Entity } from '../checks/registry.ts';
import { configFingerprint, parseConfig } from '../config/load.ts';
import { scrub, scrubbable } from '../secrets.ts';

/** One entity of `GET /api/probe/v1/assignments`: the server's own definition of the document. */
export type { Assignment } from '../probes/protocol.ts';
import type { Assignment } from '../probes/protocol.ts';

export interface Assignments {
  readonly site: string;
  readonly entities: readonly Assignment[];
}

/** A definition ready to run, or the reason it cannot run (sent as a failing result). */
export type Assigned =
  | { readonly name: string; readonly entity: Entity; readonly fingerprint: string }
  | { readonly name: string; readonly problem: string; readonly interval: number; readonly fingerprint: string };

/**
 * Fields that refer to the rest of the server's file (other entities, channels, sites) or feed only
 * its state machine; a one-entity file cannot resolve them and a probe has no use for them.
 */
const SERVER_ONLY = ['dependencies', 'notify', 'locations', 'quorum', 'group'];

/** The longest interval a broken definition is re-reported at, so the server hears of it. */
const PROBLEM_INTERVAL_MAX = 60;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an assignments document; throws with a plain reason when it is not one. */
export function readAssignments(body: unknown): Assignments {
  if (!isObject(body) || typeof body.site !== 'string' || !Array.isArray(body.entities)) {
    throw new Error('the server answered with something other than an assignments document');
  }
  const entities = body.entities.map((item, index): Assignment => {
    if (!isObject(item) || typeof item.name !== 'string' || item.name === '' || typeof item.type !== 'string'
      || typeof item.interval !== 'number' || typeof item.timeout !== 'number' || !isObject(item.check)) {
      throw new Error(`assignment ${index} is malformed (wants name, type, interval, timeout, check)`);
    }
    return { name: item.name, type: item.type, interval: item.interval, timeout: item.timeout, check: item.check };
  });
  return { site: body.site, entities };
}

/** Variable names referenced anywhere in a value (strings only, as the loader expands them). */
function referencedVariables(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) into.add(m[1]!);
  } else if (Array.isArray(value)) {
    for (const v of value) referencedVariables(v, into);
  } else if (isObject(value)) {
    for (const v of Object.values(value)) referencedVariables(v, into);
  }
  return into;
}

/**
 * Builds one assigned definition with the probe's environment. Problems name the field and the
 * variable, never a value taken from the environment.
 */
export function buildAssigned(assignment: Assignment, env: NodeJS.ProcessEnv, allowCommands = false): Assigned {
  const raw: Record<string, unknown> = { ...assignment.check, type: assignment.type, interval: assignment.interval, timeout: assignment.timeout };
  for (const key of SERVER_ONLY) delete raw[key];
  const rawFingerprint = JSON.stringify(raw);
  const problem = (message: string): Assigned => ({
    name: assignment.name,
    problem: message,
    interval: Math.min(PROBLEM_INTERVAL_MAX, Math.max(1, Number.isFinite(assignment.interval) ? assignment.interval : PROBLEM_INTERVAL_MAX)),
    fingerprint: `${rawFingerprint}\n${message}`,
  });
  if (raw.type === 'push') return problem('push checks cannot run at a probe: nothing pushes to it');
  // Whoever may edit the server's entities would otherwise run programs on every probe's machine.
  if (raw.type === 'command' && !allowCommands) return problem('command checks run at a probe only when it is started with --allow-commands');

  const result = parseConfig(stringify({ entities: { [assignment.name]: raw } }), 'assignment', env);
  if ('errors' in result) {
    const secrets = scrubbable([...referencedVariables(raw, new Set())].flatMap((name) => env[name] ?? []));
    const prefix = `/entities/${assignment.name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const reasons = result.errors.map((p) => scrub(p.message.replaceAll(prefix, assignment.name), secrets));
    return problem(`invalid definition at this probe: ${[...new Set(reasons)].join('; ')}`);
  }
  const entity = result.config.entities[0]!;
  return { name: assignment.name, entity, fingerprint: configFingerprint(entity) };
}
