// Login off, public_read, the legacy api_token, and endpoints put behind the login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authYaml, configFrom, startRig } from './rig.ts';
import { HOW_TO_ENABLE_LOGIN } from '../../src/auth/identity.ts';

const plain = 'entities:\n  web: { type: ping, host: 127.0.0.1 }\n';

test('with no users or tokens, reading is open and every write is refused with how to turn login on', async () => {
  const rig = await startRig(configFrom(plain));
  try {
    assert.equal((await rig.request('GET', '/entities')).status, 200);
    const page = await rig.request('GET', '/');
    assert.notEqual(page.status, 302);
    const res = await rig.request('POST', '/entities/web/check');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { error: HOW_TO_ENABLE_LOGIN });
    assert.match(HOW_TO_ENABLE_LOGIN, /pulsemap user add NAME --role editor/);
    assert.deepEqual((await rig.request('GET', '/session')).json(), { name: null, role: 'viewer', via: 'anonymous', csrf: null, login: false, writes: false });
  } finally {
    await rig.close();
  }
});

test('the legacy api_token alone keeps reading open and is an admin token for writes', async () => {
  const rig = await startRig(configFrom(`api_token: legacy-token-0123456789\n${plain}`));
  try {
    assert.equal((await rig.request('GET', '/entities')).status, 200);
    assert.equal((await rig.request('POST', '/entities/web/check')).status, 401);
    assert.equal((await rig.request('POST', '/entities/web/check', { headers: { authorization: 'Bearer legacy-token-0123456789' } })).status, 200);
  } finally {
    await rig.close();
  }
});

test('public_read lets anyone read while writes still need a login; open: [] protects /health and /metrics', async () => {
  const rig = await startRig(configFrom(await authYaml('  public_read: true\n  open: []\n')));
  try {
    assert.equal((await rig.request('GET', '/entities')).status, 200);
    assert.equal((await rig.request('GET', '/')).status !== 302, true);
    assert.equal((await rig.request('POST', '/entities/web/check')).status, 401);
    // public_read makes them readable again; without it they would be 401.
    assert.equal((await rig.request('GET', '/health')).status, 200);
  } finally {
    await rig.close();
  }
  const closed = await startRig(configFrom(await authYaml('  open: []\n')));
  try {
    assert.equal((await closed.request('GET', '/health')).status, 401);
    assert.equal((await closed.request('GET', '/metrics')).status, 401);
    assert.equal((await closed.request('GET', '/metrics', { headers: { authorization: 'Bearer viewer-token-0123456789' } })).status, 200);
  } finally {
    await closed.close();
  }
});
