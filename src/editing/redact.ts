// Password hashes are kept out of every response and the audit log, even though they are in the file.
const HASH = /(password_hash\s*:\s*["']?)scrypt\$[^\s"',}]*/g;

export const HIDDEN = '<hidden>';

export function redactSecrets(text: string): string {
  return text.replace(HASH, `$1${HIDDEN}`);
}
