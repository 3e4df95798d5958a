import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectSecrets } from '../../src/config/secrets.ts';
import { createScrubber } from '../../src/secrets.ts';
import type { DatabaseEntity } from '../../src/types.ts';
import { apiEntity, configOf, notifyOf } from '../helpers/entities.ts';
import { TOKEN, telegramConfig } from './helpers.ts';

const db: DatabaseEntity = {
  ...apiEntity('x', 'http://h/'), type: 'database', name: 'db', url: 'postgres://monitor:p%40ss-word@10.0.0.5:5432/app', query: 'select 1',
} as unknown as DatabaseEntity;

test('every secret of the configuration is found and scrubbed, longest first', () => {
  const config = configOf([db, apiEntity('api', 'https://user:api-pass@h.example/x', [], { headers: { Authorization: 'Bearer header-tok', X: 'ab' } })], {
    api_token: 'api-token-123',
    notify: notifyOf({
      telegram: telegramConfig('https://api.telegram.org'),
      webhook: { url: 'https://hooks.example.com/T0/B0/hookpath', headers: { 'X-Secret': 'hook-header' } },
      email: { host: 'smtp', port: 587, secure: false, user: 'u', password: 'smtp-pass', from: 'a@b', to: ['c@d'] },
    }),
  });
  const secrets = collectSecrets(config);
  for (const s of [TOKEN, 'p%40ss-word', 'p@ss-word', 'api-pass', 'Bearer header-tok', 'hook-header', 'smtp-pass', 'api-token-123', 'https://hooks.example.com/T0/B0/hookpath']) {
    assert.ok(secrets.includes(s), `missing ${s}`);
  }
  assert.ok(!secrets.includes('ab'), 'too short to scrub safely');
  const scrub = createScrubber(secrets);
  assert.equal(scrub(`bot${TOKEN}/sendMessage p@ss-word smtp-pass fine`), 'bot***/sendMessage *** *** fine');
  assert.equal(scrub('POST https://hooks.example.com/T0/B0/hookpath failed'), 'POST *** failed');
  assert.equal(scrub('nothing secret'), 'nothing secret');
});
