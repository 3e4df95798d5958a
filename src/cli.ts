// pulsemap command line: serve | validate | check | render | user | report | probe. bin/pulsemap.js is
// the entry point users run; `node src/cli.ts` works too.

interface Command {
  readonly summary: string;
  /** One `usage: pulsemap ...` line, ending in a newline. */
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  check: async () => (await import('./commands/check.ts')).checkCommand,
  render: async () => (await import('./commands/render.ts')).renderCommand,
  user: async () => (await import('./commands/user.ts')).userCommand,
  report: async () => (await import('./commands/report.ts')).reportCommand,
  probe: async () => (await import('./commands/probe.ts')).probeCommand,
};

const usage = `usage: pulsemap <command> [options]

commands:
  serve [--config FILE] [--port N] [--host ADDR] [--data DIR] [--store URL] [--instance NAME]
  validate [FILE]
  check NAME [--config FILE]
  render [--config FILE] [--format svg|nomnoml]
  user add NAME --role viewer|editor|admin
  report --month YYYY-MM [--format json|csv] [--config FILE]
  probe --server URL --site NAME [--token TOKEN] [--allow-commands]
`;

const HELP = ['--help', '-h'];

/**
 * Exit codes, the same for every command: 0 done (and for --help), 1 the work failed (a check
 * failed, the configuration is invalid, the store cannot be read), 2 a usage error.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage);
    return 2;
  }
  if (HELP.includes(name) || name === 'help') {
    const about = rest[0] === undefined ? undefined : commands[rest[0]];
    process.stdout.write(about ? help(await about()) : usage);
    return 0;
  }
  if (name === '--version') {
    const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`pulsemap: unknown command '${name}'\n${usage}`);
    return 2;
  }
  const command = await load();
  if (rest.some((arg) => HELP.includes(arg))) {
    process.stdout.write(help(command));
    return 0;
  }
  return command.run(rest);
}

function help(command: Command): string {
  return `${command.usage}\n${command.summary}\n`;
}

/** Runs the command line and sets the exit code; errors end as one `pulsemap: ...` line. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`pulsemap: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (import.meta.main) runCli(process.argv.slice(2));
