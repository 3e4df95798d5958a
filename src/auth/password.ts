// Password hashes: scrypt from node:crypto, stored as `scrypt$N$r$p$salt$hash` (base64), so the
// cost can rise later without breaking hashes already written into entities.yaml.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** OWASP's scrypt setting for 16 MiB of memory: N=2^14, r=8, p=5. */
export const DEFAULT_COST = { N: 16384, r: 8, p: 5 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptOptions, length: number): Promise<Buffer> {
  const maxmem = 256 * (cost.N ?? 0) * (cost.r ?? 0) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { ...cost, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost, KEY_LENGTH);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/**
 * A hash no password matches, at the cost of `like` (a real user's hash), so trying an unknown
 * name takes as long as trying a known one.
 */
export function unusableHash(like: string | undefined): string {
  const cost = like ? FORMAT.exec(like) : null;
  const [N, r, p] = cost ? [cost[1], cost[2], cost[3]] : [DEFAULT_COST.N, DEFAULT_COST.r, DEFAULT_COST.p];
  return `scrypt$${N}$${r}$${p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;
}

/** Compares in constant time; false for a malformed hash or an absurd cost. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = FORMAT.exec(hash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length < 16) return false;
  try {
    const key = await derive(password, Buffer.from(m[4]!, 'base64'), { N, r, p }, expected.length);
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/** Equal strings in constant time: both sides are hashed first, so lengths leak nothing either. */
export function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
