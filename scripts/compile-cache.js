// Fills Node's compile cache with every module of pulsemap, so that even the first start of the
// service skips the type stripper (see bin/pulsemap.js). The Docker image runs it at build time;
// run it after an install or upgrade with the same NODE_COMPILE_CACHE as the service.
// Usage: node scripts/compile-cache.js
import module from 'node:module';
import { readdirSync } from 'node:fs';

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
process.stdout.write(`compile-cache: ${files.length} modules of src/ and their packages in ${cache.directory}\n`);
