// Parsing a configuration text in tests: the problems it is rejected with, as printed.
import assert from 'node:assert/strict';
import { formatProblem, parseConfig } from '../../src/config/load.ts';

/** Two entities, one in a nested group: what the tests of top-level sections refer to. */
export const TWO_ENTITIES = `entities:
  shop: { type: ping, host: 127.0.0.1, group: eu/payments }
  db: { type: ping, host: 127.0.0.1 }
`;

/** `FILE:LINE:COL: message` lines of a text that must be rejected, named e.yaml. */
export function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const result = parseConfig(text, 'e.yaml', env);
  assert.ok('errors' in result, 'should be rejected');
  return result.errors.map(formatProblem);
}
