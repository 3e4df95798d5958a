// What a valid file turns into: every default filled in, secrets kept out of `target`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configFingerprint, parseConfig } from '../../src/config/load.ts';
import { safeApiTarget } from '../../src/checks/api.ts';
import { safeDatabaseTarget } from '../../src/checks/database.ts';
import type { Config } from '../../src/types.ts';

function channelConfig(config: Config, name: string): unknown {
  return config.notify.channels.find((c) => c.name === name)?.config;
}

function parse(text: string, env: NodeJS.ProcessEnv = {}): Config {
  const result = parseConfig(text, 'entities.yaml', env);
  if ('errors' in result) assert.fail(result.errors.map((e) => e.message).join('\n'));
  return result.config;
}

const timing = { timeout: 10, retry_interval: 15, failure_threshold: 3, success_threshold: 1 };

test('a small file becomes a fully defaulted Config', () => {
  const text = readFileSync(new URL('../fixtures/config/good-small.yaml', import.meta.url), 'utf8');
  assert.deepEqual(parse(text), {
    path: 'entities.yaml',
    title: 'Small',
    public_url: null,
    cluster: null,
    heartbeat: { url: null, interval: 60 },
    entities: [
      {
        name: 'web', type: 'api', interval: 30, ...timing, dependencies: ['db'], group: 'backend',
        extra: { runs_in: 'docker', replicas: 2 }, description: null, notify: null, flapping: null, placement: null, line: 5,
        target: 'https://example.test/health?full=1',
        url: 'https://user:secret@example.test/health?full=1', method: 'GET', headers: {}, body: null,
        follow_redirects: true,
        expect: { status: [200, 204], body_contains: null, json: null, max_latency_ms: null },
      },
      {
        name: 'db', type: 'database', interval: 300, ...timing, dependencies: [], group: null, extra: {},
        description: null, notify: null, flapping: null, placement: null, line: 13, target: 'postgres://monitor@10.0.0.5:5432/app',
        url: 'postgres://monitor:changeme@10.0.0.5:5432/app', query: 'select 1',
      },
      {
        name: 'gateway', type: 'ping', interval: 30, ...timing, timeout: 2.5, dependencies: [], group: null,
        extra: {}, description: 'The office router', notify: null, flapping: null, placement: null, line: 17, target: '10.0.0.1', host: '10.0.0.1',
      },
    ],
    notify: { channels: [], default: null, degraded: false, config_errors: true, reminder: 0 },
    groups: {},
    retention: { raw_days: 7 },
    api_token: null,
    auth: { users: [], tokens: [], trusted_header: null, proxies: [], public_read: false, open: ['/health', '/metrics'], session_hours: 12, api_token: null },
    map: { max_entities: 60 },
    checks: { max_in_flight: 1000 },
    status_pages: [],
    announcements: [],
    badges: 'listed',
    maintenance: [],
    probes: [],
  });
});

test('the result is frozen', () => {
  const config = parse('entities:\n  a: { type: ping, host: h }\n');
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.entities[0]!.dependencies));
});

test('${VAR} and ${VAR:-default} fill strings; a whole reference also fills numbers and booleans', () => {
  const config = parse([
    'notify:',
    '  telegram: { token: "${TOKEN}", chat_id: "${CHAT:--100123}", reminder: "${REMIND}", silent: "${QUIET:-false}" }',
    'entities:',
    '  db:',
    '    type: database',
    '    url: postgres://monitor:${DB_PASSWORD}@db.internal:${DB_PORT:-5432}/app',
    '    interval: ${DB_INTERVAL:-300}',
  ].join('\n'), { TOKEN: '123:abc', REMIND: '3600', DB_PASSWORD: 's3cret', DB_INTERVAL: '45' });
  assert.deepEqual(channelConfig(config, 'telegram'), {
    token: '123:abc', chat_id: '-100123', api_url: 'https://api.telegram.org', thread_id: null, silent: false, reminder: 3600, commands: false,
  });
  assert.equal(config.notify.reminder, 3600);
  const db = config.entities[0]!;
  assert.equal(db.interval, 45);
  assert.ok(db.type === 'database');
  assert.equal(db.url, 'postgres://monitor:s3cret@db.internal:5432/app');
  assert.equal(db.target, 'postgres://monitor@db.internal:5432/app');
});

test('a whole reference that does not read as a number is still a type error', () => {
  const result = parseConfig('entities:\n  a: { type: ping, host: h, interval: "${EVERY}" }\n', 'e.yaml', { EVERY: 'often' });
  assert.ok('errors' in result);
  assert.equal(result.errors[0]!.message, '/entities/a/interval must be a number');
});

test('target never carries a password', () => {
  const cases: [fn: (url: string) => string, url: string, target: string][] = [
    [safeApiTarget, 'https://api.example.test/health', 'https://api.example.test/health'],
    [safeApiTarget, 'https://user:pw@api.example.test/h?q=1', 'https://api.example.test/h?q=1'],
    [safeApiTarget, 'http://token@10.0.0.1:8080/', 'http://10.0.0.1:8080/'],
    [safeDatabaseTarget, 'postgres://monitor:pw@10.0.0.5:5432/foldwrap', 'postgres://monitor@10.0.0.5:5432/foldwrap'],
    [safeDatabaseTarget, 'postgresql://monitor@db/app?password=pw&sslmode=require', 'postgresql://monitor@db/app?sslmode=require'],
    [safeDatabaseTarget, 'postgres://monitor:p%40ss@db/app', 'postgres://monitor@db/app'],
  ];
  for (const [fn, url, target] of cases) assert.equal(fn(url), target, url);
});

test('entity fields win over defaults, defaults over built-ins', () => {
  const config = parse('defaults: { interval: 120, failure_threshold: 5 }\nentities:\n  a: { type: ping, host: h, failure_threshold: 2 }\n');
  const a = config.entities[0]!;
  assert.deepEqual([a.interval, a.timeout, a.failure_threshold], [120, 10, 2]);
});

test('entities keep file order, even names that look like numbers', () => {
  const config = parse('entities:\n  b: { type: ping, host: h }\n  "10": { type: ping, host: h }\n  a: { type: ping, host: h }\n');
  assert.deepEqual(config.entities.map((e) => [e.name, e.line]), [['b', 2], ['10', 3], ['a', 4]]);
});

test('merge keys share settings between entities; x- keys hold the anchors', () => {
  const config = parse('x-web: &web { type: api, interval: 30 }\nentities:\n  a: { <<: *web, url: "http://a.test/" }\n  b: { <<: *web, url: "http://b.test/", interval: 5 }\n');
  assert.deepEqual(config.entities.map((e) => [e.name, e.type, e.interval]), [['a', 'api', 30], ['b', 'api', 5]]);
});

test('notify defaults: email port and sender, webhook headers', () => {
  const config = parse([
    'notify:',
    '  email: { host: smtp.example.com, user: pulsemap@example.com, password: pw, to: [ops@example.com] }',
    '  webhook: { url: "https://hooks.example.com/x" }',
    '  reminder: 600',
    'entities: {}',
  ].join('\n'));
  assert.deepEqual(channelConfig(config, 'email'), {
    host: 'smtp.example.com', port: 587, secure: false, user: 'pulsemap@example.com', password: 'pw',
    from: 'pulsemap@example.com', to: ['ops@example.com'],
  });
  assert.deepEqual(channelConfig(config, 'webhook'), { url: 'https://hooks.example.com/x', headers: {} });
  assert.equal(config.notify.reminder, 600);
});

test('configFingerprint ignores position and key order, sees every real change', () => {
  const one = parse('entities:\n  a: { type: ping, host: h, extra: { x: 1, y: 2 } }\n').entities[0]!;
  const moved = parse('title: t\n\nentities:\n  a: { extra: { y: 2, x: 1 }, host: h, type: ping }\n').entities[0]!;
  const changed = parse('entities:\n  a: { type: ping, host: h, extra: { x: 1, y: 3 } }\n').entities[0]!;
  assert.notEqual(one.line, moved.line);
  assert.equal(configFingerprint(one), configFingerprint(moved));
  assert.notEqual(configFingerprint(one), configFingerprint(changed));
});
