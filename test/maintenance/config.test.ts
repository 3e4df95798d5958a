// `maintenance:` in entities.yaml: built windows, and every mistake pointed at with file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.ts';
import { TWO_ENTITIES, problemsOf } from '../helpers/config.ts';

const ENTITIES = TWO_ENTITIES;
const problems = problemsOf;

test('one-off, cron and weekday windows are built with their defaults', () => {
  const result = parseConfig(`${ENTITIES}maintenance:
  - { name: db-upgrade, entities: [db], start: 2026-12-05T02:00:00Z, end: "2026-12-05T04:00:00+01:00", reason: new disk }
  - { name: sunday-backup, groups: [eu], cron: "0 3 * * 0", duration: 3600, timezone: Europe/Berlin }
  - { name: weekend, entities: [shop], weekdays: [sat, sun], time: "04:30", duration: 600 }
`, 'e.yaml', {});
  assert.ok('config' in result, JSON.stringify(result));
  assert.deepEqual(result.config.maintenance, [
    { id: 'db-upgrade', name: 'db-upgrade', entities: ['db'], groups: [], reason: 'new disk', source: 'config', by: null,
      schedule: { kind: 'once', start: Date.UTC(2026, 11, 5, 2), end: Date.UTC(2026, 11, 5, 3) } },
    { id: 'sunday-backup', name: 'sunday-backup', entities: [], groups: ['eu'], reason: null, source: 'config', by: null,
      schedule: { kind: 'cron', cron: '0 3 * * 0', duration: 3_600_000, timezone: 'Europe/Berlin' } },
    { id: 'weekend', name: 'weekend', entities: ['shop'], groups: [], reason: null, source: 'config', by: null,
      schedule: { kind: 'cron', cron: '30 4 * * 6,0', duration: 600_000, timezone: 'UTC' } },
  ]);
});

const cases: [what: string, yaml: string, expected: string[]][] = [
  ['an unknown entity', '  - { name: m, entities: [dbb], start: 2026-12-05T02:00:00Z, end: 2026-12-05T03:00:00Z }\n',
    ["e.yaml:5:27: maintenance 'm': unknown entity 'dbb' (did you mean 'db'?)"]],
  ['a group no entity is in', '  - { name: m, groups: [us], start: 2026-12-05T02:00:00Z, end: 2026-12-05T03:00:00Z }\n',
    ["e.yaml:5:25: maintenance 'm': no entity is in group 'us'"]],
  ['a window that covers nothing', '  - { name: m, start: 2026-12-05T02:00:00Z, end: 2026-12-05T03:00:00Z }\n',
    ["e.yaml:5:5: maintenance 'm': name the entities and/or groups it covers"]],
  ['a time without an offset', '  - { name: m, entities: [db], start: "2026-12-05T02:00", end: 2026-12-05T03:00:00Z }\n',
    ["e.yaml:5:39: maintenance 'm': start must be an ISO 8601 time with Z or an offset (2026-12-05T02:00:00Z, 2026-12-05T03:00:00+01:00)"]],
  ['an end before the start', '  - { name: m, entities: [db], start: 2026-12-05T02:00:00Z, end: 2026-12-05T01:00:00Z }\n',
    ["e.yaml:5:66: maintenance 'm': end must be after start"]],
  ['a start without an end', '  - { name: m, entities: [db], start: 2026-12-05T02:00:00Z }\n',
    ["e.yaml:5:5: maintenance 'm': a one-off window needs both start and end"]],
  ['two schedules', '  - { name: m, entities: [db], start: 2026-12-05T02:00:00Z, end: 2026-12-05T03:00:00Z, cron: "0 3 * * *" }\n',
    ["e.yaml:5:5: maintenance 'm': give exactly one schedule: start and end, or cron, or weekdays and time"]],
  ['a bad cron field', '  - { name: m, entities: [db], cron: "61 3 * * *", duration: 600 }\n',
    ["e.yaml:5:38: maintenance 'm': cron '61 3 * * *': Constraint error, got value 61 expected range 0-59"]],
  ['a cron with four fields', '  - { name: m, entities: [db], cron: "0 3 * *", duration: 600 }\n',
    ["e.yaml:5:38: maintenance 'm': cron '0 3 * *' must have five fields: minute hour day-of-month month day-of-week"]],
  ['an unknown time zone', '  - { name: m, entities: [db], cron: "0 3 * * *", duration: 600, timezone: Europe/Berlinn }\n',
    ["e.yaml:5:76: maintenance 'm': unknown time zone 'Europe/Berlinn' (use an IANA name such as Europe/Berlin)"]],
  ['a recurring window without duration', '  - { name: m, entities: [db], cron: "0 3 * * *" }\n',
    ["e.yaml:5:5: maintenance 'm': a recurring window needs duration (seconds)"]],
  ['weekdays without a time', '  - { name: m, entities: [db], weekdays: [sun], duration: 600 }\n',
    ["e.yaml:5:5: maintenance 'm': weekdays and time go together"]],
  ['a bad time of day', '  - { name: m, entities: [db], weekdays: [sun], time: "25:00", duration: 600 }\n',
    ['e.yaml:5:55: /maintenance/0/time must be HH:MM (24-hour clock)']],
  ['a duration on a one-off window', '  - { name: m, entities: [db], start: 2026-12-05T02:00:00Z, end: 2026-12-05T03:00:00Z, duration: 60 }\n',
    ["e.yaml:5:88: maintenance 'm': duration belongs to recurring windows; a one-off window has start and end"]],
  ['a name used twice', '  - { name: m, entities: [db], cron: "0 3 * * *", duration: 600 }\n  - { name: m, entities: [shop], cron: "0 4 * * *", duration: 600 }\n',
    ["e.yaml:6:13: maintenance 'm': the name is already used by /maintenance/0"]],
  ['an unknown key', '  - { name: m, entities: [db], cron: "0 3 * * *", duration: 600, every: day }\n',
    ["e.yaml:5:66: /maintenance/0 has unknown property 'every' (known: name, entities, groups, reason, start, end, cron, weekdays, time, duration, timezone)"]],
];

for (const [what, yaml, expected] of cases) {
  test(`rejects ${what}, pointing at it`, () => assert.deepEqual(problems(`${ENTITIES}maintenance:\n${yaml}`), expected));
}
