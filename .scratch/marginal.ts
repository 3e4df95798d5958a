// RSS added by importing X after the rest of the service's start-up modules (main.ts) are loaded.
const x = process.argv[2]!;
const rss = () => process.memoryUsage.rss() / 1048576;
await import('../src/main.ts');
await new Promise((r) => setTimeout(r, 500));
(globalThis as any).gc?.();
const before = rss();
await import(x);
await new Promise((r) => setTimeout(r, 500));
(globalThis as any).gc?.();
console.log(x.padEnd(28), before.toFixed(1), '->', rss().toFixed(1), `+${(rss() - before).toFixed(1)}`);
