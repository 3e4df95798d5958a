// Finds what the suite needs and is missing, installs it with apt-get where it can (root on
// Debian), and otherwise explains in one message what is missing and how to get it.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, globSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { Requirement } from './packages.ts';

const run = promisify(execFile);

export interface Host {
  /** The PATH commands are looked up on. */
  readonly path: string;
  readonly root: boolean;
  /** apt-get is on PATH and /etc/debian_version exists. */
  readonly debian: boolean;
}

export function onPath(command: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    if (dir === '') return false;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

export function currentHost(env: NodeJS.ProcessEnv = process.env): Host {
  const path = env.PATH ?? '';
  return { path, root: process.getuid?.() === 0, debian: existsSync('/etc/debian_version') && onPath('apt-get', path) };
}

export function findMissing(requirements: readonly Requirement[], path: string): Requirement[] {
  return requirements.filter((r) => (r.needs.startsWith('/') ? globSync(r.needs).length === 0 : !onPath(r.needs, path)));
}

/** Why packages cannot be installed on this host, or null when apt-get can do it. */
export function cannotInstall(host: Host): string | null {
  if (!host.debian) return 'this is not a Debian system with apt-get';
  if (!host.root) return 'npm test is not running as root';
  return null;
}

/** The one message for missing prerequisites: what, for what, and the command that installs them. */
export function explainMissing(missing: readonly Requirement[], reason: string, host: Host): string {
  const width = Math.max(...missing.map((r) => r.needs.length));
  const packages = [...new Set(missing.map((r) => r.pkg))].join(' ');
  const them = missing.length === 1 ? 'it' : 'them';
  const how = !host.debian
    ? `Install the equivalent of the Debian package${missing.length === 1 ? '' : 's'} ${packages}, then run npm test again.`
    : host.root
      ? `Install ${them} with:\n  apt-get install ${packages}`
      : `Install ${them} with:\n  sudo apt-get install ${packages}\nor run npm test as root, which installs ${them} itself.`;
  return [
    `npm test cannot run: the test suite needs ${missing.length === 1 ? 'this' : 'these'}, and ${reason}:`,
    ...missing.map((r) => `  ${r.needs.padEnd(width)}  Debian package ${r.pkg}, for ${r.usedBy}`),
    how,
    '',
  ].join('\n');
}

async function aptInstall(packages: readonly string[]): Promise<string | null> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env, maxBuffer: 64 << 20 });
  try {
    await apt(['update', '-qq']);
    await apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
    return null;
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    return `apt-get failed: ${(stderr?.trim() || message).split('\n').slice(-3).join(' / ')}`;
  }
}

/**
 * Installs what is missing when it can. Returns null when everything is there, or the message
 * that says what is still missing and how to get it.
 */
export async function ensureInstalled(
  requirements: readonly Requirement[],
  host: Host,
  say: (line: string) => void,
): Promise<string | null> {
  const missing = findMissing(requirements, host.path);
  if (missing.length === 0) return null;
  const refusal = cannotInstall(host);
  if (refusal !== null) return explainMissing(missing, refusal, host);
  const packages = [...new Set(missing.map((r) => r.pkg))];
  say(`installing ${packages.join(' ')} (apt-get)`);
  const failure = await aptInstall(packages);
  const still = findMissing(requirements, host.path);
  if (still.length === 0) return null;
  return explainMissing(still, failure ?? 'apt-get installed the packages without providing them', host);
}
