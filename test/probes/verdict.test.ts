// The verdict of an entity checked at several sites, case by case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshForMs, judgeSites } from '../../src/probes/verdict.ts';
import type { SiteResult } from '../../src/probes/verdict.ts';
import type { CheckOutcome } from '../../src/types.ts';

const NOW = Date.parse('2026-12-02T03:00:00.000Z');
// interval 60, timeout 10: a result counts for 2 * 60 + 10 = 130 s.
const entity = (locations: string[], quorum: number) => ({ placement: { locations, quorum, check: null }, interval: 60, timeout: 10 });
const pass = (ageS = 0, latency = 20): SiteResult => ({ at: NOW - ageS * 1000, ok: true, latency_ms: latency, message: 'HTTP 200', extra: {} });
const fail = (message: string, ageS = 0): SiteResult => ({ at: NOW - ageS * 1000, ok: false, latency_ms: null, message, extra: {} });

type Case = [what: string, locations: string[], quorum: number, sites: Record<string, SiteResult>, expected: Pick<CheckOutcome, 'ok' | 'degraded' | 'message'> & { sites: string } | null];

const cases: Case[] = [
  ['all three pass', ['local', 'fra', 'nyc'], 2, { local: pass(), fra: pass(), nyc: pass() },
    { ok: true, degraded: false, message: 'ok at 3 of 3 sites (local, fra, nyc)', sites: 'local ✓ fra ✓ nyc ✓' }],
  ['one of three fails, quorum 2: degraded, naming it', ['local', 'fra', 'nyc'], 2, { local: pass(), fra: fail('connection refused'), nyc: pass() },
    { ok: true, degraded: true, message: '1 of 3 sites failing: fra connection refused', sites: 'local ✓ fra ✗ nyc ✓' }],
  ['two of three fail, quorum 2: failing, naming both', ['local', 'fra', 'nyc'], 2, { local: pass(), fra: fail('connection refused'), nyc: fail('timeout after 10 s') },
    { ok: false, degraded: false, message: '2 of 3 sites failing: fra connection refused; nyc timeout after 10 s', sites: 'local ✓ fra ✗ nyc ✗' }],
  ['one of three fails, quorum 1: failing', ['local', 'fra', 'nyc'], 1, { local: pass(), fra: fail('refused'), nyc: pass() },
    { ok: false, degraded: false, message: '1 of 3 sites failing: fra refused', sites: 'local ✓ fra ✗ nyc ✓' }],
  ['two of three fail, quorum 3: degraded', ['local', 'fra', 'nyc'], 3, { local: fail('refused'), fra: fail('refused'), nyc: pass() },
    { ok: true, degraded: true, message: '2 of 3 sites failing: local refused; fra refused', sites: 'local ✗ fra ✗ nyc ✓' }],
  ['a stale failure does not count: the site is unknown, not down', ['fra', 'nyc'], 1, { fra: fail('refused', 131), nyc: pass() },
    { ok: true, degraded: false, message: 'ok at 1 of 2 sites (nyc)', sites: 'fra – nyc ✓' }],
  ['a failure exactly at the freshness bound still counts', ['fra', 'nyc'], 1, { fra: fail('refused', 130), nyc: pass() },
    { ok: false, degraded: false, message: '1 of 2 sites failing: fra refused', sites: 'fra ✗ nyc ✓' }],
  ['only the fresh failing site left, quorum 2 of 3: degraded, not down', ['local', 'fra', 'nyc'], 2, { fra: fail('refused'), nyc: pass(500) },
    { ok: true, degraded: true, message: '1 of 3 sites failing: fra refused', sites: 'local – fra ✗ nyc –' }],
  ['no fresh result at all: no verdict', ['fra', 'nyc'], 1, { fra: fail('refused', 600), nyc: pass(600) }, null],
  ['no result at all: no verdict', ['fra'], 1, {}, null],
  ['results of a site no longer listed are ignored', ['fra'], 1, { nyc: fail('refused'), fra: pass() },
    { ok: true, degraded: false, message: 'ok at 1 of 1 sites (fra)', sites: 'fra ✓' }],
];

for (const [what, locations, quorum, sites, expected] of cases) {
  test(what, () => {
    const outcome = judgeSites(entity(locations, quorum), new Map(Object.entries(sites)), NOW);
    if (expected === null) return assert.equal(outcome, null);
    assert.ok(outcome);
    assert.deepEqual({ ok: outcome.ok, degraded: outcome.degraded, message: outcome.message, sites: outcome.extra.sites }, expected);
  });
}

test('figures come from the local check when it is fresh, else from the first fresh site', () => {
  const local: SiteResult = { at: NOW, ok: true, degraded: true, latency_ms: 1800, message: 'HTTP 200, slower than 1500 ms', extra: { http_status: 200 } };
  const withLocal = judgeSites(entity(['fra', 'local'], 2), new Map([['fra', pass(0, 40)], ['local', local]]), NOW)!;
  assert.deepEqual([withLocal.degraded, withLocal.latency_ms, withLocal.message, withLocal.extra], [true, 1800, 'local HTTP 200, slower than 1500 ms', { http_status: 200, sites: 'fra ✓ local ✓' }]);
  const remote = judgeSites(entity(['fra', 'nyc'], 2), new Map([['nyc', pass(0, 40)]]), NOW)!;
  assert.equal(remote.latency_ms, 40);
});

test('a long site message is cut in the verdict', () => {
  const outcome = judgeSites(entity(['fra'], 1), new Map([['fra', fail('x'.repeat(500))]]), NOW)!;
  assert.equal(outcome.message, `1 of 1 sites failing: fra ${'x'.repeat(119)}…`);
  assert.equal(freshForMs({ interval: 60, timeout: 10 }), 130_000);
});
