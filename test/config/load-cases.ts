// The rejected files of load.test.ts, each with the exact lines a user sees; read-equivalence.test.ts
// reads every one of them both ways too.

export const HOST_RULE = "must be a hostname or an IP address (no leading '-', no spaces or shell characters)";

export const cases: [fixture: string, expected: string[]][] = [
  ['syntax-error.yaml', ['syntax-error.yaml:5:19: this list opened with [ is never closed with ]']],
  ['duplicate-key.yaml', ["duplicate-key.yaml:6:5: duplicate key 'interval'"]],
  ['unknown-key.yaml', ["unknown-key.yaml:5:5: /entities/web has unknown property 'intervall' (did you mean 'interval'?)"]],
  ['wrong-type.yaml', ['wrong-type.yaml:5:14: /entities/web/timeout must be a number']],
  ['below-minimum.yaml', ['below-minimum.yaml:5:15: /entities/fold_db/interval must be >= 1']],
  ['missing-required.yaml', ["missing-required.yaml:2:3: /entities/fold_vds must have required property 'host'"]],
  ['bad-entity-name.yaml', [
    "bad-entity-name.yaml:2:3: /entities: entity name 'fold api' must start with a letter or digit and contain only letters, digits, _ . - (at most 64 characters)",
  ]],
  ['unknown-type.yaml', ['unknown-type.yaml:3:11: /entities/web/type must be one of: api, ping, database, tcp, dns, tls, push, command']],
  ['unset-env.yaml', ['unset-env.yaml:3:12: environment variable TELEGRAM_BOT_TOKEN is not set']],
  ['bad-reference.yaml', [
    "bad-reference.yaml:4:10: invalid variable reference '${PATH_PART': write ${NAME} or ${NAME:-default} (and $${ for a literal ${)",
  ]],
  ['unknown-dependency.yaml', ["unknown-dependency.yaml:5:20: fold_api: unknown dependency 'fold_dbb' (did you mean 'fold_db'?)"]],
  ['self-dependency.yaml', ['self-dependency.yaml:5:20: a: depends on itself']],
  ['cycle.yaml', ['cycle.yaml:5:20: dependency cycle: a -> b -> c -> a']],
  ['ping-option.yaml', [`ping-option.yaml:4:11: /entities/sneaky/host ${HOST_RULE}`]],
  ['ping-shell.yaml', [`ping-shell.yaml:4:11: /entities/sneaky/host ${HOST_RULE}`]],
  ['alias-bomb.yaml', ['alias-bomb.yaml:3:8: YAML aliases expand too much (limit 500); refusing what looks like an alias bomb']],
  ['bad-url-scheme.yaml', [
    'bad-url-scheme.yaml:4:10: /entities/web/url must be an http:// or https:// URL',
    'bad-url-scheme.yaml:7:10: /entities/db/url must be a postgres:// or postgresql:// URL',
  ]],
  ['get-with-body.yaml', ['get-with-body.yaml:5:5: /entities/web/body is not allowed with method GET']],
];

export const inline: [title: string, yaml: string, expected: string[]][] = [
  ['an unclosed { in the middle of the file, at the brace', 'entities:\n  a: { type: ping, host: h\n  b:\n    type: ping\n    host: h\n', ['empty.yaml:2:6: this map opened with { is never closed with }']],
  ['an unclosed quote, at the quote', 'entities:\n  a:\n    type: ping\n    host: "h\n  b:\n    type: ping\n    host: h\n', ['empty.yaml:4:11: this quoted text never ends: close it with "']],
  ['an empty file', '', ["empty.yaml:1:1: top level must be a map"]],
  ['a missing entities map', 'title: x\n', ["empty.yaml:1:1: top level must have required property 'entities'"]],
  ['checks.max_in_flight below 1, at the value', 'checks:\n  max_in_flight: 0\nentities:\n  a:\n    type: ping\n    host: h\n', ['empty.yaml:2:18: /checks/max_in_flight must be >= 1']],
  ['checks.max_in_flight not a whole number', 'checks:\n  max_in_flight: 2.5\nentities:\n  a:\n    type: ping\n    host: h\n', ['empty.yaml:2:18: /checks/max_in_flight must be a whole number']],
  ['a missing value', 'entities:\n  a:\n    type: ping\n    host:\n', ['empty.yaml:4:5: /entities/a/host must be a string']],
  ['a list where a map belongs', 'entities:\n  - a\n', ['empty.yaml:2:3: /entities must be a map']],
  ['two documents', 'entities: {}\n---\nentities: {}\n', [
    'empty.yaml:2:1: Source contains multiple documents; please use YAML.parseAllDocuments()',
  ]],
  ['an unknown top-level key with no close match', 'entities: {}\nslack: {}\n', [
    "empty.yaml:2:1: top level has unknown property 'slack' (known: title, public_url, heartbeat_url, heartbeat_interval, cluster, probes, defaults, notify, groups, retention, map, checks, api_token, auth, entities, status_pages, announcements, maintenance, badges)",
  ]],
  ['a status out of range', 'entities:\n  a:\n    type: api\n    url: http://x.test/\n    expect: { status: [200, 700] }\n', [
    'empty.yaml:5:29: /entities/a/expect/status/1 must be <= 599',
  ]],
  ['a header value with a line break', 'entities:\n  a:\n    type: api\n    url: http://x.test/\n    headers: { X-A: "1\\r\\nX-B: 2" }\n', [
    'empty.yaml:5:21: /entities/a/headers/X-A must not contain line breaks',
  ]],
  ['an unquoted ${VAR} inside braces', 'entities:\n  a: { type: ping, host: ${H} }\n', [
    'empty.yaml:2:27: Unexpected flow-map-start at node end (inside { } or [ ], quote values that use ${...}: "${NAME}")',
  ]],
  ['keys that differ only in quoting', 'entities:\n  1: { type: ping, host: h }\n  "1": { type: ping, host: h }\n', [
    "empty.yaml:3:3: duplicate key '1'",
  ]],
  ['an unknown tag', 'entities:\n  a: { type: ping, host: !secret h }\n', ['empty.yaml:2:26: Unresolved tag: !secret']],
  ['a group path with an empty segment', 'entities:\n  a: { type: ping, host: h, group: eu//payments }\n', [
    'empty.yaml:2:36: /entities/a/group must be a group name or a path of them (eu/payments); each name starts with a letter or digit and contains only letters, digits, _ . - (at most 64 characters)',
  ]],
  ['a short api token', 'api_token: abc\nentities: {}\n', ['empty.yaml:1:12: /api_token must be at least 16 characters long']],
  ['a mistyped IPv4 address', 'entities:\n  a:\n    type: ping\n    host: 10.0.0.256\n', [`empty.yaml:4:11: /entities/a/host ${HOST_RULE}`]],
  ['an error inside an anchor used twice, once per use', 'x-t: &t { timeout: 0 }\nentities:\n  a: { type: ping, host: h, <<: *t }\n  b: { type: ping, host: h, <<: *t }\n', [
    'empty.yaml:1:20: /entities/a/timeout must be >= 0.1',
    'empty.yaml:1:20: /entities/b/timeout must be >= 0.1',
  ]],
];
