// A service started as `serve` starts it, reporting which optional packages are loaded: after the
// start, and after `checkNow(NAME)` when a name is given, or after a request when it is a path.
// Usage: optional-modules-child.ts CONFIG DATA_DIR [NAME|/PATH]
import { createRequire } from 'node:module';
import { startService } from '../src/main.ts';
import { silentLogger } from '../src/log.ts';

const OPTIONAL = ['pg', 'nodemailer', 'prom-client'];
const [config, data, name] = process.argv.slice(2) as [string, string, string | undefined];
const cache = createRequire(import.meta.url).cache;
const loaded = () => OPTIONAL.filter((pkg) => Object.keys(cache).some((file) => file.includes(`/node_modules/${pkg}/`)));

const service = await startService({ config, data, store: null, port: 0, host: '127.0.0.1', logger: silentLogger() });
const report: Record<string, string[]> = { started: loaded() };
if (name?.startsWith('/')) {
  const res = await fetch(`${service.url}${name}`);
  report.requested = [String(res.status), ...loaded()];
} else if (name) {
  await service.monitor.checkNow(name);
  report.checked = loaded();
}
await service.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
