import { startService } from '../src/main.ts';
import { createLogger } from '../src/log.ts';
import { mkdtempSync } from 'node:fs';
const cfg = process.argv[2] ?? 'entities.yaml';
const s = await startService({ config: cfg, data: mkdtempSync('/tmp/i17d-'), store: null, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'error' }) });
await new Promise((r) => setTimeout(r, 4000));
const pk = new Set<string>();
// which packages got loaded
import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
for (const k of Object.keys(req.cache)) { const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(k); if (m) pk.add(m[1]!); }
console.log((process.memoryUsage.rss() / 1048576).toFixed(1), 'MB', [...pk].sort().join(' '));
await s.close();
