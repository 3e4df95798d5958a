// The pure parts of the checks: formatting, expectations, error wording, scrubbing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError } from '../../src/checks/errors.ts';
import { scrub, urlSecrets } from '../../src/secrets.ts';
import { lookup, unmetExpectation } from '../../src/checks/expect.ts';
import { formatBytes, formatMs, formatSeconds } from '../../src/checks/format.ts';
import { firstHop, nextHop } from '../../src/checks/http.ts';
import type { ApiExpect } from '../../src/types.ts';

describe('formatting', () => {
  const cases: [(n: number) => string, number, string][] = [
    [formatSeconds, 10, '10'], [formatSeconds, 0.5, '0.5'], [formatSeconds, 1 / 3, '0.33'],
    [formatMs, 0.038, '0.04'], [formatMs, 3.21, '3.21'], [formatMs, 12.34, '12.3'], [formatMs, 183.4, '183'],
    [formatBytes, 512, '512 B'], [formatBytes, 1536, '1.5 kB'], [formatBytes, 7_654_321, '7.3 MB'], [formatBytes, 3 * 1024 ** 3, '3.0 GB'],
  ];
  for (const [format, input, expected] of cases) {
    it(`${format.name}(${input}) = ${expected}`, () => assert.equal(format(input), expected));
  }
});

describe('json dot paths', () => {
  const doc = { status: 'ok', db: { connected: true }, 'a.b': 1, items: [{ id: 7 }] };
  const cases: [string, unknown][] = [['status', 'ok'], ['db.connected', true], ['a.b', 1], ['items.0.id', 7], ['db', { connected: true }]];
  for (const [path, expected] of cases) it(path, () => assert.deepEqual(lookup(doc, path), expected));
  it('missing paths are not undefined values', () => {
    assert.equal(typeof lookup(doc, 'db.replica'), 'symbol');
    assert.equal(typeof lookup(doc, 'status.length'), 'symbol');
  });
});

describe('expectations', () => {
  const expect = (over: Partial<ApiExpect>): ApiExpect => ({ status: null, body_contains: null, json: null, max_latency_ms: null, ...over });
  const body = (text: string, truncated = false) => ({ text, truncated });
  const cases: [string, ApiExpect, number, string, string | null][] = [
    ['any 2xx', expect({}), 204, '', null],
    ['not 2xx', expect({}), 301, '', 'expected status 2xx, got 301'],
    ['quoted needle', expect({ body_contains: 'say "hi"' }), 200, 'nope', 'body does not contain "say \\"hi\\""'],
    ['types are kept', expect({ json: { n: 1 } }), 200, '{"n":"1"}', 'json n: expected 1, got "1"'],
    ['deep values', expect({ json: { tags: ['a', 'b'] } }), 200, '{"tags":["a","b"]}', null],
    ['status before body', expect({ status: [200], body_contains: 'x' }), 500, '', 'expected status 200, got 500'],
  ];
  for (const [name, e, status, text, expected] of cases) {
    it(name, () => assert.equal(unmetExpectation(e, status, body(text)), expected));
  }
});

describe('error wording', () => {
  const idle = new AbortController().signal;
  const coded = (code: string, message = 'raw') => Object.assign(new Error(message), { code });
  const cases: [string, unknown, string][] = [
    ['refused', coded('ECONNREFUSED'), 'connection refused'],
    ['unknown host', coded('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere.example'), 'host not found'],
    ['code in cause', new TypeError('fetch failed', { cause: coded('CERT_HAS_EXPIRED') }), 'certificate has expired'],
    ['happy eyeballs', Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), {}), 'connection refused'],
    ['self-signed', coded('DEPTH_ZERO_SELF_SIGNED_CERT'), 'self-signed certificate'],
    ['parser error', coded('HPE_INVALID_CONSTANT'), 'invalid HTTP response (HPE_INVALID_CONSTANT)'],
    ['unknown, scrubbed', new Error('failed for https://bob:hunter2@x.example/ with token abc123'), 'failed for https://bob:***@x.example/ with token ***'],
  ];
  for (const [name, err, expected] of cases) {
    it(name, () => assert.equal(describeError(err, idle, 10, ['abc123']), expected));
  }

  it('a fired timeout wins over the error it caused', () => {
    const signal = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
    assert.equal(describeError(coded('ECONNRESET'), signal, 0.5, []), 'timeout after 0.5 s');
    assert.equal(describeError(coded('ECONNRESET'), AbortSignal.abort(), 0.5, []), 'check aborted');
  });

  it('scrubs raw and URL-encoded passwords', () => {
    const secrets = urlSecrets('postgres://monitor:p%40ss%2Fw@db:5432/x');
    assert.equal(scrub('bad p@ss/w and p%40ss%2Fw', secrets), 'bad *** and ***');
  });
});

describe('redirect hops', () => {
  const hop = firstHop('https://u:p%20w@a.example/x', 'post', { Authorization: 'Bearer t', 'Content-Type': 'text/plain', 'X-A': '1' }, 'b');
  it('moves URL credentials out of the URL, keeping an explicit Authorization', () => {
    assert.equal(hop.url.href, 'https://a.example/x');
    assert.equal(hop.headers.Authorization, 'Bearer t');
    assert.equal(firstHop('http://u:p%20w@h/', 'GET', {}, null).headers.authorization, `Basic ${Buffer.from('u:p w').toString('base64')}`);
  });
  const cases: [string, number, string | undefined, { url: string; method: string; body: string | null; headers: string[] } | null][] = [
    ['not a redirect', 200, '/y', null],
    ['no location', 302, undefined, null],
    ['307 keeps everything', 307, '/y', { url: 'https://a.example/y', method: 'POST', body: 'b', headers: ['Authorization', 'Content-Type', 'X-A'] }],
    ['302 after POST becomes GET', 302, '/y', { url: 'https://a.example/y', method: 'GET', body: null, headers: ['Authorization', 'X-A'] }],
    ['303 becomes GET', 303, '/y', { url: 'https://a.example/y', method: 'GET', body: null, headers: ['Authorization', 'X-A'] }],
    ['other origin drops credentials', 308, 'https://b.example/z', { url: 'https://b.example/z', method: 'POST', body: 'b', headers: ['Content-Type', 'X-A'] }],
  ];
  for (const [name, status, location, expected] of cases) {
    it(name, () => {
      const next = nextHop(hop, status, location);
      assert.deepEqual(next && { url: next.url.href, method: next.method, body: next.body, headers: Object.keys(next.headers) }, expected);
    });
  }
});
