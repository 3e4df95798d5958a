// Fills Node's compile cache with every module of pulsemap, so that even the first start of the
// service skips the type stripper (see bin/pulsemap.js). The Docker image runs it at build time;
// run it after an install or upgrade with the same NODE_COMPILE_CACHE as the service.
// Usage: node scripts/compile-cache.js
import module from 'node:module';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Node keys the cache by its V8 flags too: fill it under the flags the service runs with, those
// of package.json's start script (which the Docker image and the systemd example repeat).
const FILLING = '--filling';
if (!process.argv.includes(FILLING)) {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const flags = scripts.start.split(' ').filter((word) => word.startsWith('--'));
  const child = spawnSync(process.execPath, [...flags, new URL(import.meta.url).pathname, FILLING], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const cache = module.enableCompileCache();
if (!cache.directory) {
  process.stderr.write(`compile-cache: Node's compile cache is off: ${cache.message ?? 'NODE_DISABLE_COMPILE_CACHE is set'}\n`);
  process.exit(1);
}
const src = new URL('../src/', import.meta.url);
const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
// Importing only defines things: no module of src/ starts work when imported.
for (const file of files) await import(new URL(file, src).href);
module.flushCompileCache();
process.stdout.write(`compile-cache: ${files.length} modules of src/ and their packages, for ${process.execArgv.join(' ')}, in ${cache.directory}\n`);
