// pulsemap command line: serve | validate | check | render | user | report. bin/pulsemap.js is
// the entry point users run; `node src/cli.ts` works too.

interface Command {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  check: async () => (await import('./commands/check.ts')).checkCommand,
  render: async () => (await import('./commands/render.ts')).renderCommand,
  user: async () => (await import('./commands/user.ts')).userCommand,
  report: async () => (await import('./commands/report.ts')).reportCommand,
};

const usage = `usage: pulsemap <command> [options]

commands:
  serve [--config FILE] [--port N] [--host ADDR] [--data DIR] [--store URL] [--instance NAME]
  validate [FILE]
  check NAME [--config FILE]
  render [--config FILE] [--format svg|nomnoml]
  user add NAME --role viewer|editor|admin
  report --month YYYY-MM [--format json|csv] [--config FILE]
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name === undefined ? 1 : 0;
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
  return (await load()).run(rest);
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
