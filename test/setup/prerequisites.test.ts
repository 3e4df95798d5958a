// What `npm test` finds missing, and the one message it gives when it cannot install it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUIREMENTS } from './packages.ts';
import type { Requirement } from './packages.ts';
import { cannotInstall, ensureInstalled, explainMissing, findMissing } from './prerequisites.ts';
import type { Host } from './prerequisites.ts';

const dir = mkdtempSync(join(tmpdir(), 'pulsemap-prereq-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'pm-tool'), '#!/bin/sh\n');
chmodSync(join(dir, 'pm-tool'), 0o755);
writeFileSync(join(dir, 'pm-data'), 'not executable\n');

const need = (needs: string, pkg = `pkg-${needs.replace(/\W/g, '')}`): Requirement => ({ pkg, needs, usedBy: `the ${needs} tests` });

describe('findMissing', () => {
  const cases = [
    { name: 'an executable on PATH', needs: 'pm-tool', missing: false },
    { name: 'a file on PATH that is not executable', needs: 'pm-data', missing: true },
    { name: 'a command on no PATH directory', needs: 'pm-absent', missing: true },
    { name: 'an absolute path that exists', needs: join(dir, 'pm-data'), missing: false },
    { name: 'an absolute path that does not', needs: join(dir, 'pm-absent'), missing: true },
    { name: 'a glob that matches', needs: join(dir, 'pm-*'), missing: false },
    { name: 'a glob that matches nothing', needs: join(dir, 'nothing-*'), missing: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const missing = findMissing([need(c.needs)], `/nonexistent:${dir}`);
      assert.deepEqual(missing.map((r) => r.needs), c.missing ? [c.needs] : []);
    });
  }
});

describe('cannotInstall', () => {
  const cases: { host: Omit<Host, 'path'>; reason: string | null }[] = [
    { host: { root: true, debian: true }, reason: null },
    { host: { root: false, debian: true }, reason: 'npm test is not running as root' },
    { host: { root: true, debian: false }, reason: 'this is not a Debian system with apt-get' },
    { host: { root: false, debian: false }, reason: 'this is not a Debian system with apt-get' },
  ];
  for (const c of cases) {
    it(`root ${c.host.root}, Debian ${c.host.debian}`, () => assert.equal(cannotInstall({ path: '', ...c.host }), c.reason));
  }
});

describe('explainMissing', () => {
  const missing = [need('ping', 'iputils-ping'), need('/usr/bin/chromium', 'chromium')];
  const cases: { name: string; host: Omit<Host, 'path'>; reason: string; how: string[] }[] = [
    {
      name: 'Debian, not root: the sudo command, or run as root',
      host: { root: false, debian: true },
      reason: 'npm test is not running as root',
      how: ['Install them with:', '  sudo apt-get install iputils-ping chromium', 'or run npm test as root, which installs them itself.'],
    },
    {
      name: 'not Debian: the Debian names to find equivalents for',
      host: { root: false, debian: false },
      reason: 'this is not a Debian system with apt-get',
      how: ['Install the equivalent of the Debian packages iputils-ping chromium, then run npm test again.'],
    },
    {
      name: 'root on Debian, apt-get failed: the command to retry',
      host: { root: true, debian: true },
      reason: 'apt-get failed: E: Unable to locate package chromium',
      how: ['Install them with:', '  apt-get install iputils-ping chromium'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(
        explainMissing(missing, c.reason, { path: '', ...c.host }),
        [
          `npm test cannot run: the test suite needs these, and ${c.reason}:`,
          '  ping               Debian package iputils-ping, for the ping tests',
          '  /usr/bin/chromium  Debian package chromium, for the /usr/bin/chromium tests',
          ...c.how,
          '',
        ].join('\n'),
      );
    });
  }

  it('names a package once even when several needs come from it', () => {
    const text = explainMissing([need('pm-a', 'pm-pkg'), need('pm-b', 'pm-pkg')], 'reason', { path: '', root: false, debian: true });
    assert.match(text, /^  sudo apt-get install pm-pkg$/m);
  });
});

describe('ensureInstalled', () => {
  it('is quiet and installs nothing when everything is there', async () => {
    const said: string[] = [];
    const result = await ensureInstalled([need('pm-tool')], { path: dir, root: false, debian: true }, (l) => said.push(l));
    assert.deepEqual([result, said], [null, []]);
  });

  it('as non-root returns the message without trying to install', async () => {
    const said: string[] = [];
    const result = await ensureInstalled([need('pm-tool'), need('pm-absent', 'pm-absent-pkg')], { path: dir, root: false, debian: true }, (l) => said.push(l));
    assert.deepEqual(said, []);
    assert.match(result ?? '', /^npm test cannot run: the test suite needs this, and npm test is not running as root:\n  pm-absent  Debian package pm-absent-pkg, for the pm-absent tests\n/);
  });

  it('every requirement of the suite is met once npm test has set up', () => {
    assert.deepEqual(findMissing(REQUIREMENTS, process.env.PATH ?? ''), []);
  });
});
