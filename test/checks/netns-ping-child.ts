// Runs one ping check and prints its outcome and duration as JSON. The parent starts this inside
// a private network namespace, where the target is a host that never answers.
import { runCheck } from '../../src/checks/index.ts';
import { pingEntity } from '../helpers/entities.ts';

const [host = '', timeout = '1'] = process.argv.slice(2);
const started = performance.now();
const outcome = await runCheck(pingEntity('silent', [], { host, timeout: Number(timeout) }));
process.stdout.write(JSON.stringify({ outcome, ms: performance.now() - started }));
