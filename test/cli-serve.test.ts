import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startTarget } from './helpers/http.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-serve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `pulsemap serve` on a free port; resolves with its URL from the "listening" log line. */
function serve(config: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [path.join(root, 'src/cli.ts'), 'serve', '--config', config, '--port', '0', '--host', '127.0.0.1', '--data', path.join(dir, 'data')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const entry = JSON.parse(line);
      if (entry.msg === 'pulsemap listening') resolve({ child, url: entry.url, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

async function successCount(url: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const doc = await (await fetch(`${url}/entities/self`)).json();
    if (doc.success_count > 0) return doc.success_count;
    if (Date.now() > deadline) assert.fail(`no check ran: ${JSON.stringify(doc)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('pulsemap serve answers, stops on SIGTERM, and continues its counts after a restart', async () => {
  const target = await startTarget();
  const config = path.join(dir, 'entities.yaml');
  writeFileSync(config, `entities:\n  self:\n    type: api\n    url: ${target.url}\n    interval: 1\n`);

  const first = await serve(config);
  const before = await successCount(first.url);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0, 'a clean exit on SIGTERM');

  const second = await serve(config);
  const doc = await (await fetch(`${second.url}/entities/self`)).json();
  assert.ok(doc.success_count >= before, `counts continue: ${doc.success_count} >= ${before}`);
  assert.equal(doc.status, 'ok');
  second.child.kill('SIGINT');
  assert.equal(await second.exited, 0);
  await target.close();
});

test('serve refuses an invalid configuration with its position', async () => {
  const config = path.join(dir, 'bad.yaml');
  writeFileSync(config, 'entities:\n  x:\n    type: api\n    interval: 0\n');
  const child = spawn(process.execPath, [path.join(root, 'src/cli.ts'), 'serve', '--config', config, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /bad\.yaml:\d+:\d+: /);
});
