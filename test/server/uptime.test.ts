import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { createUptimeCache, uptimeCoverage } from '../../src/server/uptime.ts';
import { fakeClock } from '../helpers/clock.ts';
import { result, state } from '../store/contract.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.UTC(2026, 11, 1, 12, 0);

const dirs: string[] = [];
after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

test('coverage is the share of each window after the first check', () => {
  const cases: [string, number | null, { '24h': number; '7d': number; '30d': number }][] = [
    ['never checked', null, { '24h': 0, '7d': 0, '30d': 0 }],
    ['25 minutes', NOW - 25 * MIN, { '24h': 0.017361, '7d': 0.00248, '30d': 0.000579 }],
    ['3 days', NOW - 3 * DAY, { '24h': 1, '7d': 0.428571, '30d': 0.1 }],
    ['a year', NOW - 365 * DAY, { '24h': 1, '7d': 1, '30d': 1 }],
    ['in the future (clock moved back)', NOW + MIN, { '24h': 0, '7d': 0, '30d': 0 }],
  ];
  for (const [label, first, expected] of cases) assert.deepEqual(uptimeCoverage(first, NOW), expected, label);
});

test('the shared cache gives each entity its uptime and coverage, and learns new entities', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pulsemap-uptime-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dir });
  try {
    const clock = fakeClock(NOW);
    // 25 minutes of data: the three windows show the same figure, their coverage tells them apart.
    for (let at = NOW - 25 * MIN; at < NOW; at += 5 * MIN) store.saveResult(result('young', at), state('young'));
    store.saveResult(result('old', NOW - 3 * DAY), state('old'));
    store.saveState(state('idle'));
    const cache = createUptimeCache(store, clock, 10_000);

    assert.deepEqual(await cache.get('young'), {
      uptime: { '24h': 1, '7d': 1, '30d': 1 },
      coverage: { '24h': 0.017361, '7d': 0.00248, '30d': 0.000579 },
    });
    assert.deepEqual((await cache.get('old')).coverage, { '24h': 1, '7d': 0.428571, '30d': 0.1 });
    assert.deepEqual(await cache.get('idle'), { uptime: { '24h': null, '7d': null, '30d': null }, coverage: { '24h': 0, '7d': 0, '30d': 0 } });
    assert.deepEqual(await cache.get('nobody'), await cache.get('idle'));

    // Within the ttl the figures stay; after it, time has moved and a new entity is known.
    store.saveResult(result('late', NOW + 5 * MIN), state('late'));
    await clock.advance(5_000);
    assert.equal((await cache.snapshot()).has('late'), false);
    await clock.advance(6 * MIN);
    const later = await cache.snapshot();
    assert.equal(later.get('young')?.coverage['24h'], 0.021586, '31 min 5 s of a day');
    assert.deepEqual(later.get('late')?.coverage, { '24h': 0.000752, '7d': 0.000107, '30d': 0.000025 }, '65 s');
  } finally {
    await store.close();
  }
});
