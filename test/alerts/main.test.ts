// The alert service as main.ts wires it: settings from entities.yaml (${VAR} for the token), a
// rejected edit and its fix told on Telegram, a channel added by a hot reload, /health.
// (Batching and delivery of check alerts are tested on a manual clock in service.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { startFakeTelegram } from './fake-telegram.ts';
import type { FakeTelegram } from './fake-telegram.ts';
import { TOKEN, captureLogger, startReceiver, waitUntil } from './helpers.ts';
import type { Receiver } from './helpers.ts';

let dir: string;
let file: string;
let fake: FakeTelegram;
let receiver: Receiver;
let target: Target;
let service: Service;
const { logger, lines } = captureLogger();

function save(text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const yaml = (extra = '') => `title: Test infra
notify:
  telegram:
    token: \${TELEGRAM_BOT_TOKEN}
    chat_id: "-100200300"
    api_url: ${fake.apiRoot}
    thread_id: 7
    silent: true
${extra}entities:
  shop:
    type: api
    url: ${target.url}
    interval: 3600
`;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-alerts-main-'));
  file = path.join(dir, 'entities.yaml');
  fake = await startFakeTelegram();
  receiver = await startReceiver();
  target = await startTarget();
  writeFileSync(file, yaml());
  service = await startService({
    config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger,
    env: { TELEGRAM_BOT_TOKEN: TOKEN },
  });
});

after(async () => {
  await service.close();
  await Promise.all([fake.close(), receiver.close(), target.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const health = async () => (await fetch(`${service.url}/health`)).json() as Promise<{ alerts: Record<string, unknown> }>;

test('a rejected edit and its fix are told once each, a channel added live is used, /health shows the outbox', async () => {
  assert.deepEqual((await health()).alerts, { channels: ['telegram'], outbox_depth: 0, waiting: 0, last_error: null });

  save(`${yaml()}  broken: [unclosed\n`);
  await fake.waitFor(() => fake.delivered().length === 1, 'the config error message');
  const first = fake.delivered()[0]!;
  assert.match(first.params.text!, /^⚠️ <b>config invalid<\/b>\n.*entities\.yaml:\d+:\d+: /);
  assert.equal(first.params.chat_id, '-100200300');
  assert.equal(first.params.message_thread_id, '7');
  assert.equal(first.params.disable_notification, 'true');

  save(yaml(`  webhook:\n    url: ${receiver.url}\n    headers: { X-Token: hook-secret-value }\n`));
  await fake.waitFor(() => fake.delivered().length === 2, 'the config fixed message');
  assert.equal(fake.delivered()[1]!.params.text, '✅ <b>config fixed</b>: 1 entities loaded');
  await waitUntil(async () => ((await health()).alerts.channels as string[]).length === 2, 'the webhook channel');
  // The edit that added the webhook is also the fix: the new channel hears of it, and only of it.
  await waitUntil(() => receiver.requests.length === 1, 'the webhook document');
  assert.deepEqual(receiver.requests.map((q) => [JSON.parse(q.body).event, q.headers['x-token']]), [['config_fixed', 'hook-secret-value']]);

  for (const line of [...lines, ...fake.requests.map((r) => JSON.stringify(r.params))]) {
    assert.ok(!line.includes(TOKEN) && !line.includes('hook-secret-value'), `a secret leaked: ${line}`);
  }
});
