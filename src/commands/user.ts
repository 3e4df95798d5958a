// `pulsemap user add NAME --role ROLE`: asks for a password (twice, not echoed; or one line on
// stdin when it is not a terminal) and prints the entry for `auth.users` in entities.yaml.
import { parseArgs } from 'node:util';
import { hashPassword } from '../auth/password.ts';
import { ROLES } from '../auth/types.ts';
import type { Role } from '../auth/types.ts';

const USAGE = `usage: pulsemap user add NAME --role ${ROLES.join('|')}\n`;
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
  async run(args: string[]): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { role: { type: 'string' } }, allowPositionals: true, strict: true });
    } catch (err) {
      process.stderr.write(`pulsemap user: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
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
    process.stdout.write(`${userEntry(name, role, await hashPassword(password))}\n`);
    process.stderr.write('Put this line under auth: users: in entities.yaml; pulsemap picks it up within 2 s.\n');
    return 0;
  },
};
