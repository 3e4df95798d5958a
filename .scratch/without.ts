// RSS after importing main.ts with the named packages replaced by empty stubs.
import { registerHooks } from 'node:module';
const blocked = new Set(process.argv.slice(2));
const names: Record<string, string[]> = {
  'node-telegram-bot-api': ['Api', 'TelegramApiError', 'TelegramBotError'],
  'prom-client': ['collectDefaultMetrics', 'Counter', 'Gauge', 'Histogram', 'Registry'],
  undici: ['Agent', 'buildConnector', 'request'],
};
registerHooks({
  resolve(spec, ctx, next) {
    if (blocked.has(spec)) return { url: `stub:${spec}`, shortCircuit: true, format: 'module' };
    return next(spec, ctx);
  },
  load(url, ctx, next) {
    if (url.startsWith('stub:')) {
      const spec = url.slice(5);
      const src = `export default {};${(names[spec] ?? []).map((n) => `export class ${n} {}`).join('')}`;
      return { format: 'module', source: src, shortCircuit: true };
    }
    return next(url, ctx);
  },
});
await import('../src/main.ts');
await new Promise((r) => setTimeout(r, 500));
(globalThis as any).gc?.();
console.log((process.argv.slice(2).join('+') || 'nothing blocked').padEnd(40), (process.memoryUsage.rss() / 1048576).toFixed(1));
