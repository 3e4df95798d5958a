// Third-party browser files served as they ship in node_modules (no build step): uPlot draws
// the response-time charts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Router from '@koa/router';

const require = createRequire(import.meta.url);

const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  'uplot.esm.js': { file: 'uPlot.esm.js', type: 'text/javascript; charset=utf-8' },
  'uplot.css': { file: 'uPlot.min.css', type: 'text/css; charset=utf-8' },
};

export function vendorRoutes(router: Router): void {
  const dist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  // Read once: the files never change while the process runs.
  const bodies = new Map(Object.entries(FILES).map(([name, f]) => [name, { body: readFileSync(join(dist, f.file)), type: f.type }]));
  router.get('/vendor/:file', (ctx, next) => {
    const hit = bodies.get(ctx.params.file!);
    if (!hit) return next();
    ctx.type = hit.type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = hit.body;
  });
}
