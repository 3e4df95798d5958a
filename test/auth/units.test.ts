// Password hashes, the login limiter, and the auth section's own validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_COST, hashPassword, safeEqual, unusableHash, verifyPassword } from '../../src/auth/password.ts';
import { createLoginLimiter } from '../../src/auth/limiter.ts';
import { parseConfig } from '../../src/config/load.ts';
import { formatProblem } from '../../src/config/errors.ts';
import { TEST_COST } from './rig.ts';

test('scrypt hashes: default cost, salted, verified in constant time, malformed ones refused', async () => {
  const hash = await hashPassword('s3cret-pass');
  assert.match(hash, new RegExp(`^scrypt\\$${DEFAULT_COST.N}\\$${DEFAULT_COST.r}\\$${DEFAULT_COST.p}\\$[A-Za-z0-9+/]{22}==\\$[A-Za-z0-9+/]{43}=$`));
  assert.notEqual(hash, await hashPassword('s3cret-pass'), 'a fresh salt each time');
  assert.equal(await verifyPassword('s3cret-pass', hash), true);
  assert.equal(await verifyPassword('s3cret-pasS', hash), false);
  const cheap = await hashPassword('x', TEST_COST);
  for (const bad of ['', 'scrypt$3$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==', 'scrypt$1024$8$1$AAAA$AAAA', cheap.replace('$1024$', '$4194304$'), 'bcrypt$x']) {
    assert.equal(await verifyPassword('x', bad), false, bad);
  }
  assert.equal(await verifyPassword('', unusableHash(cheap)), false);
  assert.match(unusableHash(cheap), /^scrypt\$1024\$8\$1\$/);
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abcd'), false);
});

test('the login limiter: free attempts, then doubling waits up to the cap; a success clears the user only', () => {
  let now = 0;
  const limiter = createLoginLimiter({ now: () => now, free: { 'user:': 2, 'ip:': 3 }, baseDelayMs: 1000, maxDelayMs: 4000 });
  const keys = ['ip:a', 'user:u'];
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    limiter.failed(keys);
    waits.push(limiter.wait(keys));
  }
  assert.deepEqual(waits, [0, 1000, 2000, 4000, 4000, 4000]);
  now += 4000;
  assert.equal(limiter.wait(keys), 0);
  limiter.succeeded(keys);
  assert.equal(limiter.wait(['user:u']), 0);
  limiter.failed(['ip:a']);
  assert.equal(limiter.wait(['ip:a']), 4000, "the address's record survives the user's success");
  now += 2 * 3600_000;
  assert.equal(limiter.wait(['ip:a']), 0, 'forgotten after a quiet hour');
});

const cases: [string, string, string[]][] = [
  ['a token written into the file', 'auth:\n  tokens:\n    - { name: bot, role: editor, token: abcdefghijklmnopqrstuvwxyz }\nentities: {}\n',
    ['entities.yaml:3:41: /auth/tokens/0/token must come from the environment: write ${NAME}, not the token itself']],
  ['a user listed twice', 'auth:\n  users:\n    - { name: a, role: admin, password_hash: "scrypt$1024$8$1$AA==$AA==" }\n    - { name: a, role: viewer, password_hash: "scrypt$1024$8$1$AA==$AA==" }\nentities: {}\n',
    ["entities.yaml:4:15: /auth/users/1/name: 'a' is listed twice"]],
  ['an unknown role and a plain password', 'auth:\n  users:\n    - { name: a, role: root, password_hash: hunter2 }\nentities: {}\n',
    ['entities.yaml:3:24: /auth/users/0/role must be one of: viewer, editor, admin',
      'entities.yaml:3:45: /auth/users/0/password_hash must be a hash printed by `pulsemap user add` (scrypt$N$r$p$salt$hash)']],
  ['a proxy that is not an address', 'auth:\n  trusted_header: { name: X-User, from: [proxy.local, 10.0.0.0/33] }\nentities: {}\n',
    ['entities.yaml:2:42: /auth/trusted_header/from/0 must be an IP address or a CIDR range such as 10.0.0.0/8',
      'entities.yaml:2:55: /auth/trusted_header/from/1 must be an IP address or a CIDR range such as 10.0.0.0/8']],
];

for (const [name, text, expected] of cases) {
  test(`auth validation: ${name}`, () => {
    const result = parseConfig(text, 'entities.yaml', {});
    assert.ok('errors' in result);
    assert.deepEqual(result.errors.map(formatProblem), expected);
  });
}
