// push (heartbeat) entities through the real monitor and HTTP app on a manual clock: pushes on
// time, late, with status=error, with a wrong token; the token never shows anywhere.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { createPushInbox } from '../../src/checks/push-inbox.ts';
import { findPushEntity } from '../../src/server/routes/push.ts';
import { createMonitor } from '../../src/monitor/monitor.ts';
import type { Monitor } from '../../src/monitor/monitor.ts';
import { createApp } from '../../src/server/app.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { fakeClock } from '../helpers/clock.ts';
import type { FakeClock } from '../helpers/clock.ts';
import { apiEntity, configOf, entityOf } from '../helpers/entities.ts';
import { serve } from '../helpers/http.ts';
import type { Served } from '../helpers/http.ts';
import { captureLogger } from '../alerts/helpers.ts';

const TOKEN = 'nightly-0123456789abcdef';
const OTHER = 'backup-fedcba9876543210';

describe('push entities', () => {
  let dir: string;
  let clock: FakeClock;
  let store: Store;
  let monitor: Monitor;
  let api: Served;
  const { logger, lines } = captureLogger();
  const nightly = entityOf('push', 'nightly', { token: TOKEN, interval: 60, grace: 30 });
  const backup = entityOf('push', 'backup', { token: OTHER, interval: 3600 });

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-push-'));
    clock = fakeClock(Date.parse('2026-12-01T06:00:00.000Z'));
    const pushes = createPushInbox(clock);
    store = await openSqliteStore({ dir });
    monitor = createMonitor({
      config: configOf([nightly, backup, apiEntity('web', 'http://127.0.0.1:9/')], { api_token: 'api-token-0123456789' }),
      store, clock, logger, random: () => 0.5,
      runCheck: (entity, options) => runCheck(entity, { ...options, pushes, now: clock.now }),
    });
    await monitor.start();
    api = await serve(createApp({ monitor, store, logger, clock, pushes, configStatus: () => ({ path: 'e.yaml', loaded_at: 0, error: null }) }).callback());
  });
  after(async () => {
    await api.close();
    await monitor.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (token: string, query = '', method = 'POST') => fetch(`${api.base}/push/${token}${query}`, { method });

  it('before the first push and its window, nothing is judged', async () => {
    await clock.advance(60_000);
    assert.equal(monitor.state('nightly')!.status, 'unknown');
  });

  it('a push on time: 200 { ok: true }, and the entity is ok at once', async () => {
    const res = await push(TOKEN);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    const state = monitor.state('nightly')!;
    assert.equal(state.status, 'ok');
    assert.equal(state.message, 'push received 0 s ago');
    assert.equal(state.extra.last_push, '2026-12-01 06:01 UTC');
  });

  it('GET works too and carries a message; the window restarts with each push', async () => {
    await clock.advance(80_000); // within 60 s + 30 s grace of the last push
    const res = await push(TOKEN, '?msg=nightly%20done%0Awith%20newline', 'GET');
    assert.equal(res.status, 200);
    assert.equal(monitor.state('nightly')!.message, 'push received 0 s ago: nightly done with newline');
    await clock.advance(80_000);
    assert.equal(monitor.state('nightly')!.status, 'ok', 'still within interval + grace');
  });

  it('late: interval + grace without a push makes it an error', async () => {
    await clock.advance(10_000);
    const state = monitor.state('nightly')!;
    assert.equal(state.status, 'error');
    assert.equal(state.message, 'no push for 1 min (expected every 1 min + 30 s grace)');
  });

  it('status=error is an error with the job\'s message; the next good push recovers', async () => {
    await push(TOKEN);
    assert.equal(monitor.state('nightly')!.status, 'ok');
    await push(TOKEN, '?status=error&msg=disk%20full');
    assert.deepEqual([monitor.state('nightly')!.status, monitor.state('nightly')!.message], ['error', 'job reported error: disk full']);
    await push(TOKEN, '?status=ok');
    assert.equal(monitor.state('nightly')!.status, 'ok');
    const bad = await push(TOKEN, '?status=maybe');
    assert.deepEqual([bad.status, await bad.json()], [400, { error: 'status must be ok or error' }]);
  });

  it('an unknown token gets a 404 with no hint; other methods are refused', async () => {
    const before = monitor.state('nightly')!;
    for (const token of ['nightly-0123456789abcdeX', 'x', TOKEN.slice(0, -1), `${TOKEN}0`]) {
      const res = await push(token);
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: 'not found' });
    }
    assert.equal(monitor.state('nightly'), before, 'nothing was recorded');
    const put = await push(TOKEN, '', 'PUT');
    assert.deepEqual([put.status, await put.json()], [405, { error: 'use GET or POST' }]);
  });

  it('each token finds its own entity; a never-pushed entity errs a window after the start', async () => {
    assert.equal(findPushEntity(monitor.config().entities, OTHER), 'backup');
    assert.equal(findPushEntity(monitor.config().entities, 'web'), null);
    await clock.advance(3600_000);
    const state = monitor.state('backup')!;
    assert.equal(state.status, 'error');
    assert.match(state.message, /^no push since pulsemap started 1 h( \d+ min)? ago \(expected every 1 h\)$/);
  });

  it('the token never shows: not in the API, health, or the logs', async () => {
    const texts = [
      await (await api.get('/entities')).text(),
      await (await api.get('/entities/nightly')).text(),
      await (await api.get('/entities/nightly/history')).text(),
      await (await api.get('/health')).text(),
      lines.join('\n'),
    ];
    for (const text of texts) {
      assert.doesNotMatch(text, new RegExp(TOKEN));
      assert.doesNotMatch(text, new RegExp(OTHER));
    }
    const doc = await (await api.get('/entities/nightly')).json();
    assert.equal(doc.target, 'push');
  });

  it('failure_threshold defaults to 1 for push, unless the entity sets it', () => {
    assert.equal(nightly.failure_threshold, 1);
    assert.equal(entityOf('push', 'p', { token: TOKEN, failure_threshold: 2 }).failure_threshold, 2);
  });

  it('a one-off check (no service) says where pushes go', async () => {
    const outcome = await runCheck(nightly);
    assert.deepEqual([outcome.ok, outcome.message], [false, 'push entities are judged by the running service, which receives the pushes']);
  });
});
