// The service's JSON log lines, captured from the real logger of a running service.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../src/main.ts';
import type { Service } from '../src/main.ts';
import { createLogger } from '../src/log.ts';
import { startTarget } from './helpers/http.ts';
import type { Target } from './helpers/http.ts';
import { parsePrometheus, value } from './helpers/prometheus.ts';

const SECRETS = {
  TG_TOKEN: '987654:tg-token-must-not-be-logged',
  DB_PASS: 'db-pass-must-not-be-logged',
  API_TOKEN: 'api-token-must-not-be-logged',
};

let dir: string;
let file: string;
let target: Target;
let service: Service;
const lines: string[] = [];

const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

const config = (interval: number, extra = '') => `notify:
  telegram:
    token: \${TG_TOKEN}
    chat_id: "42"
    api_url: http://127.0.0.1:9
entities:
  svc:
    type: api
    url: ${target.url.replace('http://', 'http://monitor:${DB_PASS}@')}
    headers: { Authorization: "Bearer \${API_TOKEN}" }
    interval: ${interval}
    failure_threshold: 1
${extra}`;

/** Saves the way editors do: write a temporary file, then rename it over the original. */
function save(text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const withMsg = (msg: string) => entries().filter((e) => e.msg === msg);

async function eventually(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`${what}; log so far:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-logs-'));
  file = path.join(dir, 'entities.yaml');
  target = await startTarget(200);
  writeFileSync(file, config(3600));
  service = await startService({
    config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null,
    logger: createLogger({ level: 'info', destination: capture }),
    env: { ...SECRETS },
  });
});

after(async () => {
  await service.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

it('logs one JSON line per status change, reload and rejected reload, and never a secret', async () => {
  await service.monitor.checkNow('svc');
  target.status = 503;
  await service.monitor.checkNow('svc');
  const changes = withMsg('status changed');
  assert.deepEqual(changes.map((e) => [e.entity, e.from, e.to]), [['svc', 'unknown', 'ok'], ['svc', 'ok', 'error']]);
  for (const c of changes) assert.equal(c.level, 'info');

  save(config(1800));
  await eventually('the valid edit is logged', () => withMsg('configuration reloaded').length > 0);
  save(config(1800, '    timeout: "${API_TOKEN}"\n'));
  await eventually('the rejected edit is logged', () => withMsg('configuration rejected; the last good one keeps running').length > 0);
  // Let any duplicate line arrive before counting.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(withMsg('configuration reloaded').length, 1);
  const reloaded = withMsg('configuration reloaded')[0]!;
  assert.deepEqual([reloaded.entities, reloaded.added, reloaded.removed, reloaded.changed], [1, [], [], ['svc']], 'the reload says what changed');
  const rejected = withMsg('configuration rejected; the last good one keeps running');
  assert.equal(rejected.length, 1);
  assert.match(String((rejected[0]!.errors as string[])[0]), /entities\.yaml:\d+:\d+: \/entities\/svc\/timeout/);

  const metrics = parsePrometheus(await (await fetch(`${service.url}/metrics`)).text());
  assert.equal(value(metrics, 'pulsemap_config_reloads_total'), 1);
  assert.equal(value(metrics, 'pulsemap_config_reload_errors_total'), 1);
  assert.equal(value(metrics, 'pulsemap_config_valid'), 0);

  for (const entry of entries()) {
    assert.equal(typeof entry.time, 'string');
    assert.ok(['info', 'warn', 'error'].includes(entry.level as string), `level ${entry.level}`);
  }
  const all = lines.join('\n');
  for (const secret of Object.values(SECRETS)) assert.ok(!all.includes(secret), `a secret was logged:\n${all}`);
});
