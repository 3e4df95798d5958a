// `pulsemap validate [FILE]`: check a configuration without starting anything.
// Problems go to stderr (one `FILE:LINE:COL: message` per line) so stdout stays the verdict.
import { commandArgs } from './args.ts';
import { ConfigError, formatProblem, loadConfig } from '../config/load.ts';

const usage = 'usage: pulsemap validate [FILE]\n';

export const validateCommand = {
  summary: 'check entities.yaml and print every problem with its position',
  usage,

  async run(args: string[]): Promise<number> {
    const parsed = commandArgs('validate', usage, args, {}, true);
    if (parsed === null) return 2;
    const { positionals } = parsed;
    if (positionals.length > 1) {
      process.stderr.write(usage);
      return 2;
    }
    const file = positionals[0] ?? process.env.PULSEMAP_CONFIG ?? './entities.yaml';
    try {
      const config = await loadConfig(file);
      const n = config.entities.length;
      process.stdout.write(`ok: ${n} entities\n`); // the exact words scripts match on
      return 0;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.problems.map(formatProblem).join('\n')}\n`);
      return 1;
    }
  },
};
