// Runs every benchmark, one after another (each in a process of its own, so none disturbs the
// next), and prints the machine and every table. Quick by default; --full for the large sizes.
// --only a,b (or the names alone: `npm run bench -- footprint --full`) runs a subset (names as
// below, or `map-budgets`: every table of the map's budgets in bench/README.md section 7 — map,
// map-views, page-readability, page-longtasks, about ten minutes); any other flag goes to each
// script (e.g. footprint's --root DIR).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

const SCRIPTS = ['store', 'map', 'map-views', 'page-readability', 'page-longtasks', 'alerts', 'capacity', 'api', 'memory', 'series', 'footprint', 'pacing', 'probe'];
const args = process.argv.slice(2);
const full = args.includes('--full');
const onlyAt = args.indexOf('--only');
const GROUPS: Record<string, string[]> = { 'map-budgets': ['map', 'map-views', 'page-readability', 'page-longtasks'] };
const named = args.filter((a) => SCRIPTS.includes(a) || a in GROUPS);
const expand = (names: string[]): string[] => names.flatMap((n) => GROUPS[n] ?? [n]);
const only = expand(onlyAt >= 0 ? args[onlyAt + 1]!.split(',') : named.length > 0 ? named : SCRIPTS);
const passed = args.filter((a, i) => !named.includes(a) && !(onlyAt >= 0 && (i === onlyAt || i === onlyAt + 1)));

function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let free = '';
  try {
    free = execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd();
  } catch {
    free = `${Math.round(totalmem() / 2 ** 30)} GiB total`;
  }
  return [
    `- mode: ${full ? 'full' : 'quick'}, ${new Date().toISOString()}`,
    `- nproc: ${cpus().length}; CPU: ${model}; Node ${process.version}; kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}`,
    `- load average (1, 5, 15 min) at the start: ${loadavg().map((l) => l.toFixed(1)).join(', ')}`,
    '- free -h:',
    '```',
    free,
    '```',
  ].join('\n');
}

console.log(`## pulsemap benchmarks\n\n${machine()}\n`);
const started = Date.now();
let failed = 0;
for (const name of SCRIPTS.filter((s) => only.includes(s))) {
  const t = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [new URL(`./${name}.ts`, import.meta.url).pathname, ...passed], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) {
    failed += 1;
    console.log(`\n(${name} failed with exit code ${code})`);
  }
  console.log(`\n_${name}: ${Math.round((Date.now() - t) / 1000)} s_\n`);
}
console.log(`_total: ${Math.round((Date.now() - started) / 1000)} s; load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(', ')}_`);
process.exitCode = failed > 0 ? 1 : 0;
