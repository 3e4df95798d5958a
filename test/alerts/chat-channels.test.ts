// Slack, Discord, ntfy, Matrix and PagerDuty against a fake service on 127.0.0.1: the exact
// request each sends, how each answer (ok, 429 with Retry-After, 500, no answer) is taken, and
// retries through the real outbox and store with no secret in any log line or stored text.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryError } from '../../src/alerts/alert.ts';
import type { Alert, AlertItem, Channel } from '../../src/alerts/alert.ts';
import { channelType } from '../../src/alerts/channel-registry.ts';
import type { ChannelName } from '../../src/alerts/channel-registry.ts';
import { createOutbox } from '../../src/alerts/outbox.ts';
import { outboxMessages } from '../../src/alerts/triggers.ts';
import { pagerDutyEvent } from '../../src/alerts/pagerduty.ts';
import { createScrubber, scrubbable } from '../../src/secrets.ts';
import { formatProblem, parseConfig } from '../../src/config/load.ts';
import { fakeClock } from '../helpers/clock.ts';
import { startFakeChat } from './fake-chat.ts';
import type { FakeChat, RecordedRequest } from './fake-chat.ts';
import { captureLogger, tempStore } from './helpers.ts';

let fake: FakeChat;
before(async () => { fake = await startFakeChat(); });
after(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
  fake.fallback = 'ok';
  fake.ok = { status: 200, body: '' };
});

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const SINCE = Date.UTC(2026, 0, 2, 3, 0, 0);
const down: AlertItem = {
  event: 'down', entity: 'db', status: 'error', message: 'refused <b>&* _@everyone', impacted: ['api', 'web'], at: AT, since: SINCE,
  days: null, url: 'https://status.example.com#db', key: 'db:down:1',
};
const recovered: AlertItem = {
  event: 'recovered', entity: 'api', status: 'ok', message: 'ok', impacted: [], at: AT, since: SINCE, days: null,
  url: 'https://status.example.com#api', key: 'api:recovered:2',
};
const alert: Alert = { key: 'batch:1', items: [down, recovered] };
const PLAIN_DOWN = '🔴 db is down\nrefused <b>&* _@everyone\nImpacted: api, web\nSince 2026-01-02 03:00 UTC\nhttps://status.example.com#db';
const PLAIN_RECOVERED = '✅ api is back up after 4 min\nDown since 2026-01-02 03:00 UTC\nhttps://status.example.com#api';
const PLAIN = `${PLAIN_DOWN}\n\n${PLAIN_RECOVERED}`;

interface Case {
  readonly name: ChannelName;
  /** The credential: it must never show in a log line, a stored error or a queued payload. */
  readonly secret: string;
  /** The channel's section of `notify`, pointing at the fake service. */
  section(base: string): Record<string, unknown>;
  /** What the service receives for `alert`: method, path, a header check, and the JSON bodies. */
  readonly method: string;
  path(request: RecordedRequest): void;
  readonly headers?: Readonly<Record<string, string>>;
  readonly bodies: readonly unknown[];
  /** The answer of a service that took it, when it is not an empty 200. */
  readonly ok?: { status: number; body: string };
}

const SLACK_SECRET = 'T000/B000/slack-hook-secret';
const DISCORD_SECRET = '1234/discord-hook-secret';
const NTFY_TOKEN = 'tk_ntfy-access-token-secret';
const MATRIX_TOKEN = 'syt_matrix-access-token-secret';
const PD_KEY = 'R0UTINGKEYpagerdutysecret0000000';

const cases: Case[] = [
  {
    name: 'slack', secret: SLACK_SECRET, method: 'POST',
    section: (base) => ({ url: `${base}/services/${SLACK_SECRET}` }),
    path: (r) => assert.equal(r.url, `/services/${SLACK_SECRET}`),
    bodies: [{
      text: PLAIN,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '🔴 *db* is down\nrefused &lt;b&gt;&amp;* _@everyone\nImpacted: api, web\nSince 2026-01-02 03:00 UTC\n<https://status.example.com#db|Open on the map>' } },
        { type: 'section', text: { type: 'mrkdwn', text: '✅ *api* is back up after 4 min\nDown since 2026-01-02 03:00 UTC\n<https://status.example.com#api|Open on the map>' } },
      ],
    }],
  },
  {
    name: 'discord', secret: DISCORD_SECRET, method: 'POST',
    section: (base) => ({ url: `${base}/api/webhooks/${DISCORD_SECRET}`, username: 'pulsemap' }),
    path: (r) => assert.equal(r.url, `/api/webhooks/${DISCORD_SECRET}`),
    bodies: [{
      username: 'pulsemap',
      embeds: [
        {
          title: '🔴 db is down', description: 'refused \\<b\\>&\\* \\_\\@everyone\nImpacted: api, web\nSince 2026-01-02 03:00 UTC',
          color: 0xd93025, timestamp: '2026-01-02T03:04:05.000Z', url: 'https://status.example.com#db',
        },
        {
          title: '✅ api is back up after 4 min', description: 'Down since 2026-01-02 03:00 UTC',
          color: 0x1e8e3e, timestamp: '2026-01-02T03:04:05.000Z', url: 'https://status.example.com#api',
        },
      ],
      allowed_mentions: { parse: [] },
    }],
  },
  {
    name: 'ntfy', secret: NTFY_TOKEN, method: 'POST',
    section: (base) => ({ url: base, topic: 'ops-alerts', token: NTFY_TOKEN }),
    path: (r) => assert.equal(r.url, '/'),
    headers: { authorization: `Bearer ${NTFY_TOKEN}` },
    bodies: [{
      topic: 'ops-alerts', title: 'db is down (+1 more)', message: PLAIN, priority: 5,
      tags: ['rotating_light', 'white_check_mark'], click: 'https://status.example.com#db',
    }],
  },
  {
    name: 'matrix', secret: MATRIX_TOKEN, method: 'PUT',
    section: (base) => ({ homeserver: `${base}/`, room_id: '!room:example.org', access_token: MATRIX_TOKEN }),
    path: (r) => assert.match(r.url, /^\/_matrix\/client\/v3\/rooms\/!room%3Aexample\.org\/send\/m\.room\.message\/pulsemap-[0-9a-f]{32}$/),
    headers: { authorization: `Bearer ${MATRIX_TOKEN}` },
    ok: { status: 200, body: '{"event_id":"$abc"}' },
    bodies: [{
      msgtype: 'm.text', body: PLAIN, format: 'org.matrix.custom.html',
      formatted_body: '<p>🔴 <b>db</b> is down<br>refused &lt;b&gt;&amp;* _@everyone<br>Impacted: api, web<br>Since 2026-01-02 03:00 UTC<br><a href="https://status.example.com#db">Open on the map</a></p>'
        + '<p>✅ <b>api</b> is back up after 4 min<br>Down since 2026-01-02 03:00 UTC<br><a href="https://status.example.com#api">Open on the map</a></p>',
    }],
  },
  {
    name: 'pagerduty', secret: PD_KEY, method: 'POST',
    section: (base) => ({ routing_key: PD_KEY, url: `${base}/v2/enqueue` }),
    path: (r) => assert.equal(r.url, '/v2/enqueue'),
    ok: { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' },
    bodies: [
      {
        routing_key: PD_KEY, event_action: 'trigger', dedup_key: 'pulsemap:db:down:2026-01-02T03:00:00.000Z',
        payload: {
          summary: 'db is down: refused <b>&* _@everyone', source: 'db', severity: 'critical', timestamp: '2026-01-02T03:04:05.000Z',
          custom_details: { message: 'refused <b>&* _@everyone', impacted: ['api', 'web'], since: '2026-01-02T03:00:00.000Z', text: PLAIN_DOWN },
        },
        links: [{ href: 'https://status.example.com#db', text: 'Open on the map' }],
      },
      { routing_key: PD_KEY, event_action: 'resolve', dedup_key: 'pulsemap:api:down:2026-01-02T03:00:00.000Z' },
    ],
  },
];

const signal = () => new AbortController().signal;

/** Built and created through the registry, as a configuration would. */
function open(c: Case, timeoutMs?: number): { channel: Channel; secrets: string[] } {
  const type = channelType(c.name);
  const config = type.build(c.section(fake.url), { reminder: 0 });
  return { channel: type.create(config, { title: 'test', timeoutMs }), secrets: scrubbable(type.secrets(config)) };
}

// A root cause's later `impacted` updates: channels that cannot edit a sent message get the first only.
const followUp = (number: number): AlertItem => ({
  ...down, event: 'impacted', key: `db:impacted:${SINCE}:${number}`, update: { down_key: down.key, number },
});
const NOT_QUEUED_AT_ALL = new Set(['pagerduty']);

for (const c of cases) {
  test(`${c.name}: ${NOT_QUEUED_AT_ALL.has(c.name) ? 'no' : 'only the first'} impacted follow-up queued`, () => {
    const { channel } = open(c);
    const queued = (number: number) => outboxMessages([followUp(number)], () => [c.name], [channel], AT).length;
    assert.equal(queued(1), NOT_QUEUED_AT_ALL.has(c.name) ? 0 : 1);
    assert.equal(queued(2), 0);
  });

  test(`${c.name}: the exact request, and nothing secret in what is queued`, async () => {
    if (c.ok) fake.ok = c.ok;
    const { channel } = open(c);
    const envelopes = channel.envelopes(alert);
    for (const e of envelopes) {
      assert.ok(!e.payload.includes(c.secret), 'the credential is added when sending, never stored');
      await channel.send(e.payload, signal());
    }
    assert.equal(fake.requests.length, c.bodies.length);
    for (const r of fake.requests) {
      assert.equal(r.method, c.method);
      c.path(r);
      assert.equal(r.headers['content-type'], 'application/json');
      for (const [name, value] of Object.entries(c.headers ?? {})) assert.equal(r.headers[name], value);
    }
    assert.deepEqual(fake.requests.map((r) => JSON.parse(r.body)), c.bodies);
  });

  test(`${c.name}: 429 waits as told, 500 is retried, no answer times out; no error quotes the credential`, async () => {
    const { channel } = open(c, 300);
    const [payload] = channel.envelopes(alert).map((e) => e.payload);
    fake.queue({ status: 429, retryAfter: '7' }, { status: 500, body: `{"error":"no such hook ${fake.url}/${c.secret}"}` }, 'hang', { status: 400, body: '{"error":"invalid payload"}' });
    const outcomes: { retryAfterMs: number | null; permanent: boolean; message: string }[] = [];
    for (let n = 0; n < 4; n++) {
      await assert.rejects(channel.send(payload!, signal()), (err: unknown) => {
        assert.ok(err instanceof DeliveryError, String(err));
        outcomes.push({ retryAfterMs: err.retryAfterMs, permanent: err.permanent, message: err.message });
        return true;
      });
    }
    assert.deepEqual(outcomes.map((o) => [o.retryAfterMs, o.permanent]), [[7000, false], [null, false], [null, false], [null, true]]);
    assert.match(outcomes[0]!.message, new RegExp(`^${c.name}: HTTP 429`));
    assert.match(outcomes[1]!.message, new RegExp(`^${c.name}: HTTP 500`));
    assert.match(outcomes[2]!.message, new RegExp(`^${c.name}: .*(timeout|aborted)`, 'i'));
    for (const n of [0, 2, 3]) assert.ok(!outcomes[n]!.message.includes(c.secret), 'errors never quote the URL or a header');
  });

  test(`${c.name}: through the outbox, retried after 429 and 500 until delivered once; logs and store stay clean`, async () => {
    if (c.ok) fake.ok = c.ok;
    const clock = fakeClock(AT);
    const temp = await tempStore();
    const { logger, lines } = captureLogger();
    const { channel, secrets } = open(c, 2000);
    // What the alert service does: scrub with the secrets the channel type declares.
    const outbox = createOutbox({ store: temp.store, clock, logger, scrub: () => createScrubber(secrets) });
    try {
      outbox.setChannels([channel]);
      fake.queue({ status: 429, retryAfter: '30' }, { status: 500, body: `{"error":"bad ${c.secret}"}` });
      const first = channel.envelopes(alert)[0]!;
      await outbox.add([{ channel: c.name, key: first.key, payload: first.payload, created_at: clock.now() }]);
      await outbox.idle();
      assert.equal(fake.requests.length, 1);
      await clock.advance(29_999);
      await outbox.idle();
      assert.equal(fake.requests.length, 1, 'Retry-After is honoured');
      await clock.advance(1);
      await outbox.idle();
      assert.equal(fake.requests.length, 2, 'then the 500');
      await clock.advance(10_000);
      await outbox.idle();
      assert.equal(fake.requests.length, 3, 'then backoff, then delivered');
      await clock.advance(3_600_000);
      await outbox.idle();
      assert.equal(fake.requests.length, 3, 'never twice');
      assert.equal(await outbox.depth(), 0);
      assert.equal(new Set(fake.requests.map((r) => r.body + r.url)).size, 1, 'every attempt sends the same request');
      assert.ok(lines.some((l) => l.includes('alert delivery failed')), 'failures are logged');
      for (const line of lines) assert.ok(!line.includes(c.secret), `secret in log line: ${line}`);
      assert.ok(lines.some((l) => l.includes('HTTP 500') && l.includes('***')), 'the echoed credential was there, and hidden');
    } finally {
      await outbox.close();
      await temp.store.close();
      temp.remove();
    }
  });
}

test('pagerduty: a recovery resolves the incident its failure triggered; reminders are left to PagerDuty', () => {
  const trigger = pagerDutyEvent(down)!;
  const resolve = pagerDutyEvent({ ...down, event: 'recovered', status: 'ok', impacted: [], at: AT + 600_000, key: 'db:recovered:9' })!;
  assert.equal(trigger.event_action, 'trigger');
  assert.equal(resolve.event_action, 'resolve');
  assert.equal(resolve.dedup_key, trigger.dedup_key);
  assert.equal(pagerDutyEvent({ ...down, event: 'reminder', key: 'db:reminder:3' }), null);
  const later = pagerDutyEvent({ ...down, since: SINCE + 86_400_000, at: AT + 86_400_000 })!;
  assert.notEqual(later.dedup_key, trigger.dedup_key, 'the next failure is a new incident');
});

test('the five channels from entities.yaml: defaults filled, mistakes reported at their place', () => {
  const env = { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/xyz', PD_KEY };
  const result = parseConfig([
    'notify:',
    '  slack: { url: "${SLACK_WEBHOOK_URL}" }',
    '  chat: { type: discord, url: "https://discord.com/api/webhooks/1/abc" }',
    '  phone: { type: ntfy, topic: ops-alerts }',
    '  room: { type: matrix, homeserver: "https://matrix.example.org/", room_id: "!abc:example.org", access_token: t0k }',
    '  pager: { type: pagerduty, routing_key: "${PD_KEY}" }',
    'entities: {}',
  ].join('\n'), 'entities.yaml', env);
  assert.ok('config' in result, JSON.stringify(result));
  assert.deepEqual(result.config.notify.channels.map((c) => [c.name, c.type, c.config]), [
    ['slack', 'slack', { url: 'https://hooks.slack.com/services/T0/B0/xyz' }],
    ['chat', 'discord', { url: 'https://discord.com/api/webhooks/1/abc', username: null }],
    ['phone', 'ntfy', { url: 'https://ntfy.sh', topic: 'ops-alerts', token: null, user: null, password: null }],
    ['room', 'matrix', { homeserver: 'https://matrix.example.org', room_id: '!abc:example.org', access_token: 't0k' }],
    ['pager', 'pagerduty', { routing_key: PD_KEY, url: 'https://events.pagerduty.com/v2/enqueue' }],
  ]);
  const bad = parseConfig([
    'notify:',
    '  room: { type: matrix, homeserver: "https://m.example.org", room_id: "#ops:example.org", access_token: t }',
    '  phone: { type: ntfy, topic: "ops alerts" }',
    '  pager: { type: pagerduty }',
    'entities: {}',
  ].join('\n'), 'entities.yaml', {});
  assert.ok('errors' in bad);
  assert.deepEqual(bad.errors.map(formatProblem), [
    'entities.yaml:2:71: /notify/room/room_id must be a room id such as !abcdef:example.org (not an #alias)',
    'entities.yaml:3:31: /notify/phone/topic must be 1 to 64 letters, digits, - or _',
    "entities.yaml:4:3: /notify/pager must have required property 'routing_key'",
  ]);
});
