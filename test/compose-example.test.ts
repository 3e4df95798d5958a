// examples/docker-compose.cluster.yml (two instances, PostgreSQL, a probe) without a Docker
// engine: it is valid YAML, its commands use real flags of real commands, the configuration it
// mounts is valid with the environment it gives, the probe's site and token match that
// configuration, and the README shows the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../src/config/load.ts';
import { probeCommand } from '../src/commands/probe.ts';
import { serveCommand } from '../src/commands/serve.ts';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(root, 'examples/docker-compose.cluster.yml');
const text = readFileSync(file, 'utf8');

interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: unknown;
}
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const USAGES: Record<string, string> = { serve: serveCommand.usage, probe: probeCommand.usage };

/** Compose's own `${VAR:?message}` / `${VAR}` interpolation, with `vars` as the shell. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::\?[^}]*)?\}/g, (_m, name: string) => vars[name] ?? '');
}

const shell = { PROBE_FRA_TOKEN: 'a3f9c1d2e4b5a6978812ccdd00ff1122aabb' };

test('the compose file: PostgreSQL, two pulsemap instances on it, and a probe', () => {
  const pulsemaps = Object.entries(services).filter(([, s]) => s.command?.[2] === 'serve');
  const probes = Object.entries(services).filter(([, s]) => s.command?.[2] === 'probe');
  assert.equal(pulsemaps.length, 2);
  assert.equal(probes.length, 1);
  assert.match(services.db!.image ?? '', /^postgres:/);
  for (const [, s] of pulsemaps) assert.match(s.environment!.PULSEMAP_STORE!, /^postgres:\/\/[^@]+@db:5432\//);
  for (const [, s] of [...pulsemaps, ...probes]) {
    assert.ok(existsSync(path.join(path.dirname(file), s.build!, 'Dockerfile')), 'builds the image of this repository');
  }
});

test('every command is a real pulsemap command with real flags, and starts from the image\'s entry point', () => {
  for (const [name, s] of Object.entries(services)) {
    if (!s.command) continue;
    const [node, script, command, ...args] = s.command;
    assert.deepEqual([node, script], ['node', 'bin/pulsemap.js'], name);
    assert.ok(existsSync(path.join(root, script!)));
    const usage = USAGES[command!];
    assert.ok(usage, `${name}: unknown command ${command}`);
    for (const arg of args.filter((a) => a.startsWith('--'))) assert.ok(usage.includes(`${arg} `) || usage.includes(`${arg}]`), `${name}: ${arg} is not a flag of ${command}`);
  }
});

test('the mounted configuration is valid with the environment the instances get, and names the probe\'s site', () => {
  const instance = services.pulsemap1!;
  const [hostDir, mountDir] = instance.volumes![0]!.split(':');
  const configPath = instance.environment!.PULSEMAP_CONFIG!;
  assert.equal(path.posix.dirname(configPath), mountDir);
  const configFile = path.join(path.dirname(file), hostDir!, path.posix.basename(configPath));
  const env = Object.fromEntries(Object.entries(instance.environment!).map(([k, v]) => [k, interpolate(String(v), shell)]));
  const parsed = parseConfig(readFileSync(configFile, 'utf8'), configFile, env);
  assert.ok('config' in parsed, JSON.stringify('errors' in parsed ? parsed.errors : null));
  assert.deepEqual(services.pulsemap2!.environment, instance.environment, 'both instances run the same file with the same environment');

  const probe = services['probe-fra']!;
  const args = probe.command!;
  const site = args[args.indexOf('--site') + 1]!;
  const server = new URL(args[args.indexOf('--server') + 1]!);
  assert.ok(services[server.hostname], `the probe talks to a service of the file (${server.hostname})`);
  assert.equal(server.port, '8000');
  const probes = (parse(readFileSync(configFile, 'utf8')) as { probes: Record<string, { token: string }> }).probes;
  assert.ok(probes[site], `site ${site} is declared under probes:`);
  const variable = /^\$\{(\w+)\}$/.exec(probes[site]!.token)![1]!;
  assert.equal(interpolate(probe.environment!.PULSEMAP_PROBE_TOKEN!, shell), env[variable], 'the probe\'s token is the one the server expects');
  // Every variable the probe's entities use is set in the probe's environment too.
  for (const name of readFileSync(configFile, 'utf8').matchAll(/url: \$\{(\w+)\}/g)) assert.ok(probe.environment![name[1]!], name[1]);
});

test('the README shows the same compose file', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes(`\`\`\`yaml\n${text.slice(text.indexOf('services:'))}\`\`\``));
});
