// The five newer check types from YAML: their defaults, and a clear file:line:col message for
// each kind of mistake the schema or the type itself catches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem, parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/types.ts';

const FILE = `entities:
  ssh_port:  { type: tcp,  host: 10.0.0.5, port: 22, send: "", expect: "SSH-2.0" }
  www_dns:   { type: dns,  name: www.example.com, record: MX, server: "10.0.0.53:53", expect: ["mail.example.com"] }
  www_cert:  { type: tls,  host: www.example.com }
  nightly:   { type: push, token: "\${NIGHTLY_PUSH_TOKEN}", interval: 86400, grace: 3600 }
  disk_root: { type: command, command: ["/usr/lib/nagios/plugins/check_disk", "-w", "20%", "-c", "10%", "-p", "/"], env: { PGPASSWORD: "\${PGPASS}" } }
  plain_dns: { type: dns, name: example.com }
`;
const ENV = { NIGHTLY_PUSH_TOKEN: 'n1ghtly-t0ken-0123456789', PGPASS: 'pg-secret' };

function parse(text: string, env: NodeJS.ProcessEnv = ENV): Config {
  const result = parseConfig(text, 'entities.yaml', env);
  if ('errors' in result) assert.fail(result.errors.map(formatProblem).join('\n'));
  return result.config;
}

function problems(text: string, env: NodeJS.ProcessEnv = ENV): string[] {
  const result = parseConfig(text, 'entities.yaml', env);
  assert.ok('errors' in result, 'should be rejected');
  return result.errors.map(formatProblem);
}

test('the SPEC examples load, with their defaults', () => {
  const [tcp, dns, tls, push, command, plainDns] = parse(FILE).entities;
  assert.deepEqual({ ...tcp, line: 0 }, { ...tcp, line: 0, type: 'tcp', host: '10.0.0.5', port: 22, send: '', expect: 'SSH-2.0', target: '10.0.0.5:22' });
  assert.deepEqual([dns!.type === 'dns' && dns.record, dns!.target], ['MX', 'www.example.com MX @10.0.0.53:53']);
  assert.deepEqual(plainDns!.type === 'dns' && [plainDns.record, plainDns.server, plainDns.expect], ['A', null, []]);
  assert.deepEqual(tls!.type === 'tls' && [tls.port, tls.servername, tls.target], [443, 'www.example.com', 'www.example.com:443']);
  assert.deepEqual(push!.type === 'push' && [push.grace, push.failure_threshold, push.interval, push.target], [3600, 1, 86400, 'push']);
  assert.deepEqual(command!.type === 'command' && [command.target, command.command.length, command.env], ['/usr/lib/nagios/plugins/check_disk', 7, { PGPASSWORD: 'pg-secret' }]);
});

test('each mistake gets its own message at its place', () => {
  const cases: [string, string][] = [
    ['  t: { type: tcp, host: 10.0.0.5, port: 70000 }', 'entities.yaml:2:41: /entities/t/port must be <= 65535'],
    ['  t: { type: tcp, host: "-x", port: 22 }', "entities.yaml:2:25: /entities/t/host must be a hostname or an IP address (no leading '-', no spaces or shell characters)"],
    ['  d: { type: dns, name: example.com, record: SRV }', 'entities.yaml:2:46: /entities/d/record must be one of: A, AAAA, CNAME, MX, TXT, NS'],
    ['  d: { type: dns, name: example.com, server: "10.0.0.53:99999" }', 'entities.yaml:2:46: /entities/d/server has a port outside 1-65535'],
    ['  p: { type: push, token: short }', 'entities.yaml:2:27: /entities/p/token must be at least 16 characters of letters, digits, . _ ~ - (use ${VAR})'],
    ['  c: { type: command, command: ["check_disk", "-w", "10%"] }', 'entities.yaml:2:33: /entities/c/command/0 must be an absolute path to the program (no shell runs it)'],
    ['  c: { type: command, command: [] }', 'entities.yaml:2:32: /entities/c/command must list at least 1 item'],
  ];
  for (const [line, expected] of cases) assert.deepEqual(problems(`entities:\n${line}\n`), [expected], line);
});
