// Optional parts cost memory only when used: a service on SQLite with an email channel holds
// neither pg nor nodemailer until a database check runs or a mail is sent, nor prom-client until
// /metrics is first asked for.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGURL } from './helpers/pg.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-optional-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(yaml: string, name?: string): Record<string, string[]> {
  const file = name?.replace(/\W/g, '') || 'plain';
  const config = path.join(dir, `${file}.yaml`);
  writeFileSync(config, yaml);
  const child = path.join(import.meta.dirname, 'optional-modules-child.ts');
  const out = execFileSync(process.execPath, [child, config, path.join(dir, `data-${file}`), ...(name ? [name] : [])], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as Record<string, string[]>;
}

const EMAIL = 'notify:\n  email:\n    host: 127.0.0.1\n    port: 2525\n    to: [ops@example.com]\n';

test('SQLite, an email channel and no database entity: neither pg, nodemailer nor prom-client is loaded', () => {
  assert.deepEqual(run(`${EMAIL}entities:\n  site:\n    type: api\n    url: http://127.0.0.1:9/\n    interval: 3600\n`), { started: [] });
});

test('pg is loaded by the first database check, nodemailer still not', () => {
  const yaml = `${EMAIL}entities:\n  db:\n    type: database\n    url: ${PGURL}\n    query: select 1\n    interval: 3600\n`;
  assert.deepEqual(run(yaml, 'db').checked, ['pg']);
});

test('prom-client is loaded by the first request for /metrics', () => {
  const yaml = 'entities:\n  site:\n    type: api\n    url: http://127.0.0.1:9/\n    interval: 3600\n';
  assert.deepEqual(run(yaml, '/metrics').requested, ['200', 'prom-client']);
});
