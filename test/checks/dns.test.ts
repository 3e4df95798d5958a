// dns check against a DNS server on a loopback UDP port: answers of every record type, expected
// values present and missing, NXDOMAIN, a name without the record, and a server that stays silent.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/checks/index.ts';
import { parseServer } from '../../src/checks/dns.ts';
import { entityOf } from '../helpers/entities.ts';
import { startDnsServer } from '../helpers/dns.ts';
import type { DnsServer } from '../helpers/dns.ts';

describe('dns check', () => {
  let server: DnsServer;
  before(async () => {
    server = await startDnsServer({
      'www.example.test': { A: ['203.0.113.7', '203.0.113.8'], AAAA: ['2001:db8::7'] },
      'alias.example.test': { CNAME: ['www.example.test'] },
      'example.test': { MX: [[20, 'backup.example.test'], [10, 'mail.example.test']], TXT: ['v=spf1 -all'], NS: ['ns1.example.test', 'ns2.example.test'] },
    }, ['quiet.example.test']);
  });
  after(() => server.close());

  const dns = (fields: Record<string, unknown>) => entityOf('dns', 'lookup', { server: `127.0.0.1:${server.port}`, timeout: 5, ...fields });

  const answers = [
    { record: 'A', name: 'www.example.test', message: 'A 203.0.113.7, 203.0.113.8', expect: ['203.0.113.8'] },
    { record: 'AAAA', name: 'www.example.test', message: 'AAAA 2001:db8::7', expect: ['2001:db8::7'] },
    { record: 'CNAME', name: 'alias.example.test', message: 'CNAME www.example.test', expect: ['WWW.example.test.'] },
    { record: 'MX', name: 'example.test', message: 'MX mail.example.test, backup.example.test', expect: ['mail.example.test'] },
    { record: 'TXT', name: 'example.test', message: 'TXT v=spf1 -all', expect: ['v=spf1 -all'] },
    { record: 'NS', name: 'example.test', message: 'NS ns1.example.test, ns2.example.test', expect: ['ns2.example.test', 'ns1.example.test'] },
  ];
  for (const c of answers) {
    it(`${c.record}: answers, expected values present`, async () => {
      const outcome = await runCheck(dns({ name: c.name, record: c.record, expect: c.expect }));
      assert.equal(outcome.ok, true, outcome.message);
      assert.match(outcome.message, new RegExp(`^${c.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in \\d+(\\.\\d+)? ms$`));
      assert.equal(typeof outcome.latency_ms, 'number');
      assert.ok(server.queries.includes(`${c.name} ${c.record}`), 'asked the given server');
    });
  }

  it('record defaults to A; an expected value that is missing fails and says what came', async () => {
    const outcome = await runCheck(dns({ name: 'www.example.test', expect: ['203.0.113.9', '203.0.113.7'] }));
    assert.deepEqual([outcome.ok, outcome.message], [false, 'expected 203.0.113.9, got 203.0.113.7, 203.0.113.8']);
    assert.equal(outcome.extra.answers, 2);
  });

  it('an unknown name is NXDOMAIN; a known name without the record says so', async () => {
    const nx = await runCheck(dns({ name: 'nope.example.test' }));
    assert.deepEqual([nx.ok, nx.message], [false, 'name not found (NXDOMAIN)']);
    const nodata = await runCheck(dns({ name: 'alias.example.test', record: 'MX' }));
    assert.deepEqual([nodata.ok, nodata.message], [false, 'no MX record for alias.example.test']);
  });

  it('a server that stays silent: a timeout, within the entity\'s timeout', async () => {
    const started = performance.now();
    const outcome = await runCheck(dns({ name: 'quiet.example.test', timeout: 0.5 }));
    assert.equal(outcome.ok, false);
    assert.match(outcome.message, /^timeout after 0.5 s/);
    assert.ok(performance.now() - started < 500 + 1500, 'ended near its timeout, not at the resolver default');
  });

  it('server as host, host:port, IPv6 and [IPv6]:port', () => {
    assert.deepEqual(parseServer('10.0.0.53'), { host: '10.0.0.53', port: 53 });
    assert.deepEqual(parseServer('10.0.0.53:5353'), { host: '10.0.0.53', port: 5353 });
    assert.deepEqual(parseServer('ns.example.test:54'), { host: 'ns.example.test', port: 54 });
    assert.deepEqual(parseServer('::1'), { host: '::1', port: 53 });
    assert.deepEqual(parseServer('[::1]:5353'), { host: '::1', port: 5353 });
    const entity = dns({ name: 'www.example.test', record: 'MX' });
    assert.equal(entity.target, `www.example.test MX @127.0.0.1:${server.port}`);
    assert.deepEqual([entity.name, entity.domain], ['lookup', 'www.example.test'], 'name: is what to resolve; the entity keeps its own name');
  });
});
