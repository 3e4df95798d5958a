// `pulsemap user add NAME --role ROLE [--write]`: asks for a password (twice, not echoed; or one
// line on stdin when it is not a terminal) and prints the entry for `auth.users` in entities.yaml,
// or with --write adds it to the file the way the admin page does (validated, audited, atomic).
import path from 'node:path';
import { commandArgs } from './args.ts';
import { userInfo } from 'node:os';
import { formatProblem } from '../config/errors.ts';
import { createAuditLog } from '../editing/audit.ts';
import { createEditor, EditRefused, ValidationFailed } from '../editing/service.ts';
import { addUser } from '../editing/users.ts';
import { hashPassword } from '../auth/password.ts';
import { ROLES } from '../auth/types.ts';
import type { Role } from '../auth/types.ts';

const USAGE = `usage: pulsemap user add NAME --role ${ROLES.join('|')} [--write [--config FILE] [--data DIR]]\n`;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const MIN_PASSWORD = 8;

/** Reads a line from a terminal without showing it. */
function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    stdin.on('data', onData);
  });
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return firstLine(process.stdin);
  const first = await promptHidden('Password: ');
  const again = await promptHidden('Again: ');
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}

/** The YAML entry, in the flow style SPEC.md shows under `auth.users`. */
export function userEntry(name: string, role: Role, hash: string): string {
  return `    - { name: ${name}, role: ${role}, password_hash: "${hash}" }`;
}

export const userCommand = {
  summary: 'make a login for the page: prints the entry for auth.users',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const parsed = commandArgs('user', USAGE, args, { role: { type: 'string' }, write: { type: 'boolean' }, config: { type: 'string' }, data: { type: 'string' } }, true);
    if (parsed === null) return 2;
    const [action, name, ...rest] = parsed.positionals;
    const role = parsed.values.role as Role | undefined;
    if (action !== 'add' || name === undefined || rest.length > 0 || role === undefined) {
      process.stderr.write(USAGE);
      return 2;
    }
    if (!NAME.test(name)) {
      process.stderr.write('pulsemap user: NAME must start with a letter or digit and contain only letters, digits, _ . @ - (at most 64)\n');
      return 2;
    }
    if (!ROLES.includes(role)) {
      process.stderr.write(`pulsemap user: --role must be one of ${ROLES.join(', ')}\n`);
      return 2;
    }
    const password = await readPassword();
    if (password.length < MIN_PASSWORD) {
      process.stderr.write(`pulsemap user: the password must have at least ${MIN_PASSWORD} characters\n`);
      return 1;
    }
    const hash = await hashPassword(password);
    if (parsed.values.write) return writeUser(name, role, hash, parsed.values.config, parsed.values.data);
    process.stdout.write(`${userEntry(name, role, hash)}\n`);
    process.stderr.write('Put this line under auth: users: in entities.yaml; pulsemap picks it up within 2 s.\n');
    return 0;
  },
};

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'someone';
  }
}

/** Adds the user to the file itself; a running pulsemap picks it up within 2 s. */
async function writeUser(name: string, role: Role, hash: string, config: string | undefined, data: string | undefined): Promise<number> {
  const { env } = process;
  const file = config ?? env.PULSEMAP_CONFIG ?? './entities.yaml';
  const audit = createAuditLog(path.join(data ?? env.PULSEMAP_DATA ?? 'data', 'audit.jsonl'));
  const editor = createEditor({ file, env, reload: async () => {}, audit });
  try {
    await editor.edit({ kind: 'user', plan: addUser(name, role, hash), ifMatch: null, by: `${osUser()} (command line)` });
  } catch (err) {
    if (err instanceof ValidationFailed) {
      process.stderr.write(`pulsemap user: the change would make ${file} invalid:\n${err.problems.map(formatProblem).join('\n')}\n`);
      return 1;
    }
    if (err instanceof EditRefused || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`pulsemap user: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  process.stderr.write(`Added ${name} (${role}) to ${file}; a running pulsemap picks it up within 2 s.\n`);
  return 0;
}
