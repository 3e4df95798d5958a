// Hot reload of files past the limits: a 20 MB file and a deeply nested one are refused with a
// clear error in /health, the last good configuration keeps running and checks go on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService } from '../../src/main.ts';
import type { Service } from '../../src/main.ts';
import { silentLogger } from '../../src/log.ts';
import { startTarget } from '../helpers/http.ts';
import type { Target } from '../helpers/http.ts';
import { eventually } from '../helpers/poll.ts';

let dir: string;
let file: string;
let target: Target;
let service: Service;

const good = () => `entities:\n  alpha:\n    type: api\n    url: ${target.url}\n    interval: 1\n`;

function save(text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function health(): Promise<{ status: number; body: { config: { error: string[] | null } } }> {
  const res = await fetch(`${service.url}/health`);
  return { status: res.status, body: await res.json() };
}

/** Checks still run: the target sees more requests than it had. */
async function stillChecking(): Promise<void> {
  const seen = target.requests;
  await eventually(async () => target.requests, (n) => n >= seen + 2, 'checks after the rejected reload', 20_000);
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-reload-limits-'));
  file = path.join(dir, 'entities.yaml');
  target = await startTarget();
  writeFileSync(file, good());
  service = await startService({ config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger: silentLogger() });
});

after(async () => {
  await service.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a 20 MB entities.yaml is refused by its size; the service keeps checking', async () => {
  const entity = (i: number) => `  e${i}:\n    type: ping\n    host: host-${i}.example\n`;
  const parts = [good()];
  for (let i = 0, size = 0; size < 20 * 1024 * 1024; i++) { const s = entity(i); parts.push(s); size += s.length; }
  save(parts.join(''));
  const h = await eventually(health, (v) => v.body.config.error !== null, 'rejection in /health', 20_000);
  assert.equal(h.status, 200);
  assert.deepEqual(h.body.config.error, [`${file}: the file is 20.1 MB, over the limit of 8 MB; split it up or raise PULSEMAP_CONFIG_MAX_BYTES`]);
  assert.deepEqual(service.monitor.config().entities.map((e) => e.name), ['alpha'], 'the last good configuration keeps running');
  await stillChecking();
  const entities = await fetch(`${service.url}/entities`);
  assert.equal(entities.status, 200);
});

test('a deeply nested entities.yaml is refused at its line and column; the service keeps checking', async () => {
  save(`${good()}    extra:\n      note: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
  const h = await eventually(health, (v) => v.body.config.error?.[0]?.includes('nest') === true, 'rejection in /health', 20_000);
  assert.deepEqual(h.body.config.error, [`${file}:7:73: maps and lists nest more than 64 levels deep here; refusing the file`]);
  await stillChecking();

  save(good());
  await eventually(health, (v) => v.body.config.error === null, 'a good file clears the error', 20_000);
});
