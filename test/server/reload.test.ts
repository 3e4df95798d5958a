import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
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

const entity = (name: string, interval = 3600) => `  ${name}:\n    type: api\n    url: ${target.url}\n    interval: ${interval}\n`;

/** Saves the way editors do: write a temporary file, then rename it over the original. */
function save(text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

async function get(p: string) {
  return (await fetch(`${service.url}${p}`)).json();
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-reload-'));
  file = path.join(dir, 'entities.yaml');
  target = await startTarget();
  writeFileSync(file, `entities:\n${entity('alpha')}${entity('beta')}`);
  service = await startService({ config: file, port: 0, host: '127.0.0.1', data: path.join(dir, 'data'), store: null, logger: silentLogger() });
});

after(async () => {
  await service.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = async () => ((await get('/entities')) as { name: string }[]).map((d) => d.name);

test('edits of entities.yaml apply live; a broken edit changes nothing and is reported', async () => {
  await service.monitor.checkNow('alpha');
  await service.monitor.checkNow('beta');

  save(`entities:\n${entity('alpha')}${entity('beta')}${entity('gamma')}`);
  await eventually(names, (n) => n.join() === 'alpha,beta,gamma', 'added entity');

  save(`entities:\n${entity('alpha', 120)}${entity('gamma')}`);
  await eventually(names, (n) => n.join() === 'alpha,gamma', 'removed entity');
  const alpha = await get('/entities/alpha');
  assert.equal(alpha.interval, 120);
  assert.equal(alpha.success_count, 1, 'counts are kept when an entity changes');

  save(`entities:\n${entity('alpha', 120)}  gamma: [unclosed\n`);
  const health = await eventually(() => get('/health'), (h) => h.config.error !== null, 'config error in /health');
  assert.equal(health.config.error.length >= 1, true);
  assert.match(health.config.error[0], /entities\.yaml:\d+:\d+: /);
  assert.deepEqual(await names(), ['alpha', 'gamma'], 'the last good configuration keeps running');

  save(`entities:\n${entity('alpha', 120)}${entity('delta')}`);
  await eventually(() => get('/health'), (h) => h.config.error === null, 'error cleared by a good edit');
  assert.deepEqual(await names(), ['alpha', 'delta']);
});
