// When windows open and close (one-off, cron, weekdays; in a named time zone across DST), and
// which entities they cover. Pure functions, times given as parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coverageAt, nextChange, nextChangeOfAll, openingAt, scopeOf, weekdayCron } from '../../src/maintenance/window.ts';
import type { MaintenanceWindow, Schedule } from '../../src/maintenance/window.ts';

const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;

function windowOf(schedule: Schedule, scope: Partial<Pick<MaintenanceWindow, 'entities' | 'groups'>> = { entities: ['db'] }): MaintenanceWindow {
  return { id: 'w', name: 'w', entities: scope.entities ?? [], groups: scope.groups ?? [], reason: null, schedule, source: 'config', by: null };
}

test('a one-off window is open from its start (inclusive) to its end (exclusive)', () => {
  const w = windowOf({ kind: 'once', start: at('2026-12-05T02:00:00Z'), end: at('2026-12-05T03:00:00Z') });
  assert.equal(openingAt(w, at('2026-12-05T01:59:59.999Z')), null);
  assert.deepEqual(openingAt(w, at('2026-12-05T02:00:00Z')), { start: at('2026-12-05T02:00:00Z'), end: at('2026-12-05T03:00:00Z') });
  assert.equal(openingAt(w, at('2026-12-05T03:00:00Z')), null);
  assert.equal(nextChange(w, at('2026-12-05T01:00:00Z')), at('2026-12-05T02:00:00Z'));
  assert.equal(nextChange(w, at('2026-12-05T02:30:00Z')), at('2026-12-05T03:00:00Z'));
  assert.equal(nextChange(w, at('2026-12-05T03:00:00Z')), null);
});

test('a daily 03:00 Europe/Berlin window follows local time across both DST changes', () => {
  const w = windowOf({ kind: 'cron', cron: '0 3 * * *', duration: H, timezone: 'Europe/Berlin' });
  // Winter (UTC+1): 03:00 local is 02:00 UTC. Summer (UTC+2) from 29 March 2026: 01:00 UTC.
  const cases: [string, string | null][] = [
    ['2026-03-28T02:30:00Z', '2026-03-28T02:00:00Z'],
    ['2026-03-28T01:30:00Z', null],
    ['2026-03-29T01:30:00Z', '2026-03-29T01:00:00Z'],
    ['2026-03-29T02:30:00Z', null],
    ['2026-03-30T01:00:00Z', '2026-03-30T01:00:00Z'],
    // Back to winter on 25 October 2026.
    ['2026-10-24T01:30:00Z', '2026-10-24T01:00:00Z'],
    ['2026-10-25T01:30:00Z', null],
    ['2026-10-25T02:30:00Z', '2026-10-25T02:00:00Z'],
  ];
  for (const [now, start] of cases) {
    const opening = openingAt(w, at(now));
    assert.deepEqual(opening, start === null ? null : { start: at(start), end: at(start) + H }, now);
  }
  assert.equal(nextChange(w, at('2026-03-28T12:00:00Z')), at('2026-03-29T01:00:00Z'));
  assert.equal(nextChange(w, at('2026-03-29T01:00:00Z')), at('2026-03-29T02:00:00Z'));
  assert.equal(nextChange(w, at('2026-10-24T12:00:00Z')), at('2026-10-25T02:00:00Z'));
});

test('a time zone far from UTC: 23:00 in America/New_York is the next day in UTC', () => {
  const w = windowOf({ kind: 'cron', cron: '0 23 * * 5', duration: 2 * H, timezone: 'America/New_York' });
  // Friday 4 December 2026, 23:00 EST = Saturday 04:00 UTC.
  assert.deepEqual(openingAt(w, at('2026-12-05T05:00:00Z')), { start: at('2026-12-05T04:00:00Z'), end: at('2026-12-05T06:00:00Z') });
  assert.equal(openingAt(w, at('2026-12-04T23:30:00Z')), null);
});

test('weekdays and a time become a cron expression', () => {
  assert.equal(weekdayCron(['sat', 'sun'], '03:30'), '30 3 * * 6,0');
  assert.equal(weekdayCron(['mon'], '00:05'), '5 0 * * 1');
});

const config = {
  entities: [
    { name: 'vds', group: 'eu/hosts', dependencies: [] },
    { name: 'db', group: null, dependencies: ['vds'] },
    { name: 'api', group: 'eu/payments', dependencies: ['db'] },
    { name: 'web', group: 'us', dependencies: ['api'] },
    { name: 'other', group: 'euro', dependencies: [] },
  ],
};

test('scope: named entities, groups with their subgroups, and everything depending on them', () => {
  assert.deepEqual([...scopeOf({ entities: ['db'], groups: [] }, config)].sort(), ['api', 'db', 'web']);
  assert.deepEqual([...scopeOf({ entities: [], groups: ['eu'] }, config)].sort(), ['api', 'db', 'vds', 'web']);
  assert.deepEqual([...scopeOf({ entities: [], groups: ['eu/payments'] }, config)].sort(), ['api', 'web']);
  assert.deepEqual([...scopeOf({ entities: ['other'], groups: ['us'] }, config)].sort(), ['other', 'web']);
});

test('coverage: the window ending last names an entity covered twice; the next change of all', () => {
  const short = { ...windowOf({ kind: 'once', start: 0, end: 10 * H }, { entities: ['db'] }), id: 'short', name: 'short' };
  const long = { ...windowOf({ kind: 'once', start: 5 * H, end: 20 * H }, { entities: ['api'] }), id: 'long', name: 'long' };
  const cover = coverageAt([short, long], config, 6 * H);
  assert.deepEqual([...cover.keys()].sort(), ['api', 'db', 'web']);
  assert.equal(cover.get('db')!.window.id, 'short');
  assert.equal(cover.get('api')!.window.id, 'long');
  assert.equal(cover.get('web')!.opening.end, 20 * H);
  assert.equal(nextChangeOfAll([short, long], 6 * H), 10 * H);
  assert.equal(nextChangeOfAll([short, long], 30 * H), null);
});
