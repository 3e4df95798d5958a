import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TELEGRAM_MAX, emailHtml, emailSubject, escapeHtml, formatDuration, formatTime, plainText, telegramText, webhookDocument,
} from '../../src/alerts/format.ts';
import type { Alert, AlertItem } from '../../src/alerts/alert.ts';

const AT = Date.UTC(2026, 10, 21, 6, 42, 10);
const SINCE = Date.UTC(2026, 10, 21, 6, 30, 0);

function it(over: Partial<AlertItem>): AlertItem {
  return {
    event: 'down', entity: 'fold_db', status: 'error', message: 'connect ECONNREFUSED 10.0.0.5:5432', impacted: [],
    at: AT, since: SINCE, days: null, url: null, key: 'k', ...over,
  };
}
const one = (over: Partial<AlertItem>): Alert => ({ key: 'k', items: [it(over)] });

test('escapeHtml escapes what Telegram HTML and attributes need', () => {
  assert.equal(escapeHtml(`a & b <i>"x"</i> &amp;`), 'a &amp; b &lt;i&gt;&quot;x&quot;&lt;/i&gt; &amp;amp;');
});

test('durations and times', () => {
  const cases: [number, string][] = [
    [-5, '0 s'], [999, '0 s'], [45_000, '45 s'], [60_000, '1 min'], [12 * 60_000 + 59_000, '12 min'],
    [3_600_000, '1 h'], [3 * 3_600_000 + 5 * 60_000, '3 h 5 min'], [86_400_000, '1 d'], [2 * 86_400_000 + 4 * 3_600_000, '2 d 4 h'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  assert.equal(formatTime(SINCE), '2026-11-21 06:30 UTC');
});

test('Telegram text of each event, exactly', async (t) => {
  const cases: { name: string; item: Partial<AlertItem>; text: string }[] = [
    {
      name: 'down with impacted entities and a link',
      item: { impacted: ['foldwrap_api', 'fold_web', 'fold_worker'], url: 'https://status.example.com#fold_db' },
      text: [
        '🔴 <b>fold_db</b> is down',
        'connect ECONNREFUSED 10.0.0.5:5432',
        'Impacted: foldwrap_api, fold_web, fold_worker',
        'Since 2026-11-21 06:30 UTC',
        '<a href="https://status.example.com#fold_db">Open on the map</a>',
      ].join('\n'),
    },
    {
      name: 'down without impacted entities or link',
      item: { entity: 'api', message: 'expected status 200, got 503' },
      text: '🔴 <b>api</b> is down\nexpected status 200, got 503\nSince 2026-11-21 06:30 UTC',
    },
    {
      name: 'user and target text is escaped',
      item: { entity: 'a&b', message: '<script>alert("x")</script> & more', impacted: ['x<y'], url: 'https://s.example/?a=1&b="2"#a&b' },
      text: [
        '🔴 <b>a&amp;b</b> is down',
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more',
        'Impacted: x&lt;y',
        'Since 2026-11-21 06:30 UTC',
        '<a href="https://s.example/?a=1&amp;b=&quot;2&quot;#a&amp;b">Open on the map</a>',
      ].join('\n'),
    },
    {
      name: 'reminder',
      item: { event: 'reminder', impacted: ['api'] },
      text: '🔁 <b>fold_db</b> is still down (for 12 min)\nconnect ECONNREFUSED 10.0.0.5:5432\nImpacted: api\nSince 2026-11-21 06:30 UTC',
    },
    {
      name: 'recovered',
      item: { event: 'recovered', status: 'ok', message: 'reply in 3 ms' },
      text: '✅ <b>fold_db</b> is back up after 12 min\nDown since 2026-11-21 06:30 UTC',
    },
    {
      name: 'recovered into degraded',
      item: { event: 'recovered', status: 'degraded', since: AT - 3 * 3_600_000 },
      text: '✅ <b>fold_db</b> is back up (degraded) after 3 h\nDown since 2026-11-21 03:42 UTC',
    },
    {
      name: 'degraded',
      item: { event: 'degraded', status: 'degraded', message: 'slow: 2300 ms > 1500 ms', since: AT },
      text: '🟡 <b>fold_db</b> is degraded\nslow: 2300 ms &gt; 1500 ms',
    },
    {
      name: 'back to normal',
      item: { event: 'undegraded', status: 'ok' },
      text: '🟢 <b>fold_db</b> is back to normal after 12 min',
    },
    { name: 'certificate', item: { event: 'certificate', days: 14, since: null }, text: '🔐 <b>fold_db</b>: TLS certificate expires in 14 days' },
    { name: 'certificate, last day', item: { event: 'certificate', days: 1, since: null }, text: '🔐 <b>fold_db</b>: TLS certificate expires in 1 day' },
    { name: 'certificate expired', item: { event: 'certificate', days: -2, since: null }, text: '🔐 <b>fold_db</b>: TLS certificate expired 2 days ago' },
    {
      name: 'config invalid',
      item: { event: 'config_invalid', entity: null, status: null, since: null, message: 'entities.yaml:12:7: /entities/a/interval must be >= 1\nentities.yaml:20:3: unknown <key>' },
      text: [
        '⚠️ <b>config invalid</b>',
        'entities.yaml:12:7: /entities/a/interval must be &gt;= 1',
        'entities.yaml:20:3: unknown &lt;key&gt;',
        'The last good configuration keeps running.',
      ].join('\n'),
    },
    {
      name: 'config fixed',
      item: { event: 'config_fixed', entity: null, status: null, since: null, message: '4 entities loaded' },
      text: '✅ <b>config fixed</b>: 4 entities loaded',
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(telegramText(one(c.item)), c.text));
});

test('a batch is one message, blocks separated by a blank line', () => {
  const alert: Alert = { key: 'b', items: [it({ entity: 'a', message: 'm1' }), it({ event: 'recovered', entity: 'b', status: 'ok' })] };
  assert.equal(
    telegramText(alert),
    '🔴 <b>a</b> is down\nm1\nSince 2026-11-21 06:30 UTC\n\n✅ <b>b</b> is back up after 12 min\nDown since 2026-11-21 06:30 UTC',
  );
  assert.equal(
    plainText(alert),
    '🔴 a is down\nm1\nSince 2026-11-21 06:30 UTC\n\n✅ b is back up after 12 min\nDown since 2026-11-21 06:30 UTC',
  );
});

test('long messages stay within Telegram limits and never cut an entity in half', () => {
  const many: Alert = { key: 'b', items: Array.from({ length: 200 }, (_, i) => it({ entity: `e${i}`, message: 'x'.repeat(300) })) };
  const text = telegramText(many);
  assert.ok(text.length <= TELEGRAM_MAX, String(text.length));
  assert.match(text, /\n\n… and \d+ more$/);
  const shown = (text.match(/is down/g) ?? []).length;
  assert.equal(Number(/and (\d+) more$/.exec(text)![1]) + shown, 200);

  const hostile = telegramText(one({ message: '"'.repeat(5000), impacted: Array.from({ length: 500 }, (_, i) => `n${'x'.repeat(60)}${i}`) }));
  assert.ok(hostile.length <= TELEGRAM_MAX, String(hostile.length));
  assert.doesNotMatch(hostile, /&[a-z]*$/);
  assert.match(hostile, /Impacted: .* and 480 more/);
});

test('email subject, plain text and HTML', () => {
  const alert = one({ impacted: ['api'], url: 'https://status.example.com#fold_db', message: 'bad <thing>' });
  assert.equal(emailSubject(alert, 'Fold infrastructure'), '[Fold infrastructure] fold_db is down');
  assert.equal(
    emailSubject({ key: 'b', items: [it({}), it({ entity: 'x' }), it({ entity: 'y' })] }, 'T\r\nBcc: evil@example.com'),
    '[T Bcc: evil@example.com] fold_db is down (+2 more)',
  );
  assert.equal(
    plainText(alert),
    '🔴 fold_db is down\nbad <thing>\nImpacted: api\nSince 2026-11-21 06:30 UTC\nhttps://status.example.com#fold_db',
  );
  assert.equal(
    emailHtml(alert, 'Fold <infra>'),
    '<!doctype html>\n<html><body>\n<h3>Fold &lt;infra&gt;</h3>\n' +
      '<p>🔴 <b>fold_db</b> is down<br>\nbad &lt;thing&gt;<br>\nImpacted: api<br>\nSince 2026-11-21 06:30 UTC<br>\n' +
      '<a href="https://status.example.com#fold_db">Open on the map</a></p>\n</body></html>\n',
  );
});

test('webhook document', () => {
  assert.deepEqual(webhookDocument(it({ impacted: ['api'], url: 'https://s.example#fold_db' })), {
    event: 'down', entity: 'fold_db', status: 'error', message: 'connect ECONNREFUSED 10.0.0.5:5432', impacted: ['api'],
    at: '2026-11-21T06:42:10.000Z', since: '2026-11-21T06:30:00.000Z', url: 'https://s.example#fold_db',
    incident: 'fold_db@2026-11-21T06:30:00.000Z',
    text: '🔴 fold_db is down\nconnect ECONNREFUSED 10.0.0.5:5432\nImpacted: api\nSince 2026-11-21 06:30 UTC\nhttps://s.example#fold_db',
  });
});
