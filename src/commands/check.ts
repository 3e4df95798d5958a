// `pulsemap check NAME [--config FILE]`: run one entity's check once and print the outcome.
import { commandArgs } from './args.ts';
import { runCheck } from '../checks/index.ts';
import { ConfigError, formatProblem, loadConfig } from '../config/load.ts';

const usage = 'usage: pulsemap check NAME [--config FILE]\n';

export const checkCommand = {
  summary: "run one entity's check once and print the result as JSON",
  usage,

  /** Exit codes: 0 passed, 1 failed (or the configuration is invalid), 2 usage or unknown name. */
  async run(args: string[]): Promise<number> {
    const flags = commandArgs('check', usage, args, { config: { type: 'string', short: 'c' } }, true);
    if (flags === null) return 2;
    const [name, ...more] = flags.positionals;
    if (name === undefined || more.length > 0) {
      process.stderr.write(usage);
      return 2;
    }
    const file = flags.values.config ?? process.env.PULSEMAP_CONFIG ?? './entities.yaml';

    let config;
    try {
      config = await loadConfig(file, process.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.problems.map(formatProblem).join('\n')}\n`);
      return 1;
    }

    const entity = config.entities.find((candidate) => candidate.name === name);
    if (entity === undefined) {
      const names = config.entities.map((candidate) => candidate.name).join(', ');
      process.stderr.write(`no entity named '${name}'\nentities: ${names === '' ? '(none)' : names}\n`);
      return 2;
    }

    const outcome = await runCheck(entity);
    const result = {
      name: entity.name,
      type: entity.type,
      target: entity.target,
      ok: outcome.ok,
      degraded: outcome.degraded,
      latency_ms: outcome.latency_ms,
      message: outcome.message,
      // Same merge as the entity document: the user's facts, then the figures the check found.
      extra: { ...entity.extra, ...outcome.extra },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return outcome.ok ? 0 : 1;
  },
};
