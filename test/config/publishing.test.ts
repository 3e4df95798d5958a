// status_pages, announcements and badges in entities.yaml: defaults, and mistakes pointed at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.ts';
import { TWO_ENTITIES, problemsOf } from '../helpers/config.ts';

const ENTITIES = TWO_ENTITIES;
const problems = problemsOf;

test('status pages, announcements and badges get their defaults', () => {
  const result = parseConfig(`${ENTITIES}status_pages:
  public: { title: Shop status, entities: [shop], groups: [eu] }
announcements:
  - { title: Upgrade, start: 2026-12-05T02:00:00Z, end: "2026-12-05T03:00:00Z", pages: [public] }
`, 'e.yaml', {});
  assert.ok('config' in result);
  const c = result.config;
  assert.deepEqual(c.status_pages, [{ slug: 'public', title: 'Shop status', description: null, entities: ['shop'], groups: ['eu'], show_latency: false, show_map: false }]);
  assert.deepEqual(c.announcements, [{ id: 'config-1', title: 'Upgrade', body: '', severity: 'info', start: Date.UTC(2026, 11, 5, 2), end: Date.UTC(2026, 11, 5, 3), pages: ['public'] }]);
  assert.equal(c.badges, 'listed');
});

const cases: [what: string, yaml: string, expected: string[]][] = [
  ['an unknown entity on a page', 'status_pages:\n  public: { title: S, entities: [shopp] }\n',
    ["e.yaml:5:34: status page public: unknown entity 'shopp' (did you mean 'shop'?)"]],
  ['a group no entity is in', 'status_pages:\n  public: { title: S, groups: [us] }\n',
    ["e.yaml:5:32: status page public: no entity is in group 'us'"]],
  ['a bad slug', 'status_pages:\n  Public Page: { title: S }\n',
    ['e.yaml:5:3: /status_pages: name \'Public Page\' must be lower-case letters, digits, _ or - (at most 40 characters)']],
  ['a time that is not one', 'announcements:\n  - { title: T, start: tomorrow }\n',
    ['e.yaml:5:24: /announcements/0/start is not an ISO 8601 time (2026-12-05T02:00:00Z)']],
  ['an end before the start', 'announcements:\n  - { title: T, start: 2026-12-05T02:00:00Z, end: 2026-12-05T01:00:00Z }\n',
    ['e.yaml:5:51: /announcements/0/end must be after its start']],
  ['an unknown page', 'announcements:\n  - { title: T, pages: [nope] }\n',
    ["e.yaml:5:25: announcement: unknown status page 'nope'"]],
  ['a bad severity', 'announcements:\n  - { title: T, severity: fatal }\n',
    ['e.yaml:5:27: /announcements/0/severity must be one of: info, warning, critical']],
  ['a bad badges value', 'badges: some\n', ['e.yaml:4:9: /badges must be one of: listed, all']],
];

for (const [what, yaml, expected] of cases) {
  test(`rejects ${what}, pointing at it`, () => assert.deepEqual(problems(ENTITIES + yaml), expected));
}
