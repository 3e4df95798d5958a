// Login, roles, sessions, CSRF and the login rate limit through the real HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authYaml, configFrom, ENV, login, PASSWORDS, startRig } from './rig.ts';
import type { Rig } from './rig.ts';

let rig: Rig;
let text: string;

before(async () => {
  text = await authYaml('  trusted_header: { name: X-Forwarded-User, from: [127.0.0.2] }\n  proxies: [127.0.0.3]\n');
  rig = await startRig(configFrom(text));
});
after(() => rig.close());

const check = '/entities/web/check';

test('without a session or token: 401 on the API, a login page for /, /health and /metrics open', async () => {
  for (const url of ['/entities', '/entities/web', '/entities/web/history']) {
    const res = await rig.request('GET', url);
    assert.equal(res.status, 401, url);
    assert.deepEqual(res.json(), { error: 'log in to see this' });
  }
  assert.equal((await rig.request('POST', check)).status, 401);
  const page = await rig.request('GET', '/');
  assert.equal(page.status, 302);
  assert.equal(page.headers.location, 'login.html');
  assert.equal((await rig.request('GET', '/health')).status, 200);
  assert.equal((await rig.request('GET', '/metrics')).status, 200);
  assert.deepEqual((await rig.request('GET', '/session')).json(), { name: null, role: null, via: 'anonymous', csrf: null, login: true, writes: true });
});

test('the session cookie is HttpOnly, SameSite=Strict, expiring, and Secure only over HTTPS', async () => {
  const res = await rig.request('POST', '/login', { body: { name: 'ben', password: PASSWORDS.ben } });
  assert.equal(res.status, 200);
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /^pulsemap_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
  // Behind a TLS proxy listed under proxies, the proxy's X-Forwarded-Proto makes it Secure...
  const viaProxy = await rig.request('POST', '/login', { body: { name: 'ben', password: PASSWORDS.ben }, headers: { 'x-forwarded-proto': 'https' }, localAddress: '127.0.0.3' });
  assert.match(String(viaProxy.headers['set-cookie']), /; HttpOnly; SameSite=Strict; Secure$/);
  // ...and the same header from anyone else is ignored.
  const spoofed = await rig.request('POST', '/login', { body: { name: 'ben', password: PASSWORDS.ben }, headers: { 'x-forwarded-proto': 'https' } });
  assert.doesNotMatch(String(spoofed.headers['set-cookie']), /Secure/);
});

test('a session reads; it expires after session_hours', async () => {
  const { headers } = await login(rig, 'ben');
  assert.equal((await rig.request('GET', '/entities', { headers })).status, 200);
  const page = await rig.request('GET', '/', { headers });
  assert.notEqual(page.status, 302);
  const me = (await rig.request('GET', '/session', { headers })).json();
  assert.equal(me.name, 'ben');
  assert.equal(me.role, 'viewer');
  await rig.clock.advance(12 * 3600_000);
  assert.equal((await rig.request('GET', '/entities', { headers })).status, 401);
});

test('roles: a viewer writing gets 403, an editor may, tokens carry their role, api_token is admin', async () => {
  const ben = await login(rig, 'ben');
  const refused = await rig.request('POST', check, { headers: ben.headers });
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.json(), { error: 'this needs the editor role; ben is viewer' });
  const ed = await login(rig, 'ed');
  assert.equal((await rig.request('POST', check, { headers: ed.headers })).status, 200);
  assert.equal((await rig.request('POST', check, { headers: { authorization: `Bearer ${ENV.EDITOR_TOKEN}` } })).status, 200);
  assert.equal((await rig.request('POST', check, { headers: { authorization: `Bearer ${ENV.VIEWER_TOKEN}` } })).status, 403);
  assert.equal((await rig.request('GET', '/entities', { headers: { authorization: `Bearer ${ENV.VIEWER_TOKEN}` } })).status, 200);
  const wrong = await rig.request('GET', '/entities', { headers: { authorization: 'Bearer not-a-token-at-all' } });
  assert.equal(wrong.status, 401);
});

test('a page write without the right CSRF token is 403; logout needs it too and ends the session', async () => {
  const ed = await login(rig, 'ed');
  for (const token of [undefined, 'wrong', `${ed.csrf}x`]) {
    const headers: Record<string, string> = { cookie: ed.cookie };
    if (token !== undefined) headers['x-csrf-token'] = token;
    const res = await rig.request('POST', check, { headers });
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { error: 'missing or wrong CSRF token: reload the page and try again' });
  }
  assert.equal((await rig.request('POST', '/logout', { headers: { cookie: ed.cookie } })).status, 403);
  assert.equal((await rig.request('GET', '/entities', { headers: ed.headers })).status, 200);
  const out = await rig.request('POST', '/logout', { headers: ed.headers });
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /^pulsemap_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict$/);
  assert.equal((await rig.request('GET', '/entities', { headers: ed.headers })).status, 401);
});

test('a user named by the trusted proxy is believed from its address only, and needs CSRF for writes', async () => {
  const asProxy = { localAddress: '127.0.0.2' };
  const me = (await rig.request('GET', '/session', { ...asProxy, headers: { 'x-forwarded-user': 'ed' } })).json();
  assert.equal(me.name, 'ed');
  assert.equal(me.role, 'editor');
  assert.equal(me.via, 'header');
  const stranger = (await rig.request('GET', '/session', { ...asProxy, headers: { 'x-forwarded-user': 'carol' } })).json();
  assert.equal(stranger.role, 'viewer', 'a proxy user not listed gets trusted_header.role');
  assert.equal((await rig.request('POST', check, { ...asProxy, headers: { 'x-forwarded-user': 'ed' } })).status, 403);
  assert.equal((await rig.request('POST', check, { ...asProxy, headers: { 'x-forwarded-user': 'ed', 'x-csrf-token': me.csrf } })).status, 200);
  // The same header sent directly, not through the proxy, is ignored.
  assert.equal((await rig.request('GET', '/entities', { headers: { 'x-forwarded-user': 'ana' } })).status, 401);
});

test('login brute force is slowed per user and per address; the right password waits too', async () => {
  const attempt = (name: string, password: string, localAddress?: string) => rig.request('POST', '/login', { body: { name, password }, localAddress });
  for (let i = 0; i < 5; i++) assert.equal((await attempt('ana', `guess-${i}`)).status, 401);
  const locked = await attempt('ana', PASSWORDS.ana);
  assert.equal(locked.status, 429);
  assert.equal(locked.headers['retry-after'], '1');
  assert.deepEqual(locked.json(), { error: 'too many failed logins; try again in 1 s' });
  // From another address the user is still locked: the limit is per user as well.
  assert.equal((await attempt('ana', PASSWORDS.ana, '127.0.0.4')).status, 429);
  await rig.clock.advance(1000);
  assert.equal((await attempt('ana', 'guess-again')).status, 401);
  const longer = await attempt('ana', PASSWORDS.ana);
  assert.equal(longer.headers['retry-after'], '2', 'each failure past the allowance doubles the wait');
  await rig.clock.advance(2000);
  assert.equal((await attempt('ana', PASSWORDS.ana)).status, 200);
  // Per address: many names from one address.
  for (let i = 0; i < 20; i++) await attempt(`nobody${i}`, 'x', '127.0.0.5');
  assert.equal((await attempt('ben', PASSWORDS.ben, '127.0.0.5')).status, 429);
  assert.equal((await attempt('ben', PASSWORDS.ben, '127.0.0.6')).status, 200);
  assert.match(rig.log(), /"msg":"login failed"/);
});

test('removing a user or changing the password ends their sessions; a role change applies at once', async () => {
  const ed = await login(rig, 'ed');
  const demoted = configFrom(text.replace('name: ed, role: editor', 'name: ed, role: viewer'));
  rig.monitor.apply(demoted);
  assert.equal((await rig.request('POST', check, { headers: ed.headers })).status, 403);
  rig.monitor.apply(configFrom(text.replace(/ *- \{ name: ed, [^\n]*\n/, '')));
  assert.equal((await rig.request('GET', '/entities', { headers: ed.headers })).status, 401);
  rig.monitor.apply(configFrom(text));
  const ben = await login(rig, 'ben');
  const otherHash = (await authYaml()).match(/name: ben, role: viewer, password_hash: "([^"]+)"/)![1]!;
  rig.monitor.apply(configFrom(text.replace(/(name: ben, role: viewer, password_hash: ")[^"]+/, (_m, head: string) => head + otherHash)));
  assert.equal((await rig.request('GET', '/entities', { headers: ben.headers })).status, 401);
  rig.monitor.apply(configFrom(text));
});

test('no password hash, token or ${VAR} value in any response or log line', async () => {
  const secrets = [ENV.EDITOR_TOKEN, ENV.VIEWER_TOKEN, ...Object.values(PASSWORDS)];
  for (const m of text.matchAll(/password_hash: "([^"]+)"/g)) secrets.push(m[1]!, m[1]!.split('$').pop()!);
  const seen = rig.bodies.join('\n') + rig.log();
  assert.ok(rig.bodies.length > 30 && rig.log().length > 0);
  for (const secret of secrets) assert.ok(!seen.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
});
