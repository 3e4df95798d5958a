import type Router from '@koa/router';
import type { Context } from 'koa';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MapService, Rendered } from '../../map/service.ts';
import { parseViewQuery, ViewError } from '../../map/view.ts';
import type { ViewSpec } from '../../map/view.ts';
import { HttpError } from '../errors.ts';

type Encoding = 'br' | 'gzip';
const compressors: Record<Encoding, (body: string) => Promise<Buffer>> = {
  br: (body) => promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
  gzip: (body) => promisify(gzip)(body, { level: 6 }),
};

/**
 * A rendered map is compressed once per encoding and shared by every client that asks for it:
 * compressing a map of a thousand entities for each request would cost more than rendering it.
 */
function createCompressedCache() {
  const cache = new WeakMap<Rendered, Partial<Record<Encoding, Promise<Buffer>>>>();
  return (rendered: Rendered, encoding: Encoding): Promise<Buffer> => {
    let entry = cache.get(rendered);
    if (!entry) cache.set(rendered, (entry = {}));
    return (entry[encoding] ??= compressors[encoding](rendered.body));
  };
}

async function send(ctx: Context, rendered: Rendered, type: string, compressed: ReturnType<typeof createCompressedCache>): Promise<void> {
  const accepted = ctx.acceptsEncodings('br', 'gzip', 'identity');
  const encoding: Encoding | null = accepted === 'br' || accepted === 'gzip' ? accepted : null;
  ctx.status = 200;
  ctx.type = type;
  ctx.vary('Accept-Encoding');
  // One validator per representation: a cache must not answer a gzip request with identity bytes.
  ctx.set('ETag', encoding ? `${rendered.etag.slice(0, -1)}-${encoding}"` : rendered.etag);
  // Revalidate every time: the map changes with every status change.
  ctx.set('Cache-Control', 'no-cache');
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  if (!encoding) {
    ctx.body = rendered.body;
    return;
  }
  ctx.compress = false;
  ctx.set('Content-Encoding', encoding);
  ctx.body = await compressed(rendered, encoding);
}

/** The view a request asks for (`?group=`, `?focus=`, `?view=`); a bad query is a 400. */
function viewOf(ctx: Context): ViewSpec | null {
  const one = (key: string): string | undefined => {
    const v = ctx.query[key];
    if (Array.isArray(v)) throw new HttpError(400, `give ${key} once`);
    return v;
  };
  return parseViewQuery({ group: one('group'), focus: one('focus'), range: one('range'), view: one('view') });
}

/** A bad view query is a 400, a view of a group or entity that does not exist a 404; never a 500. */
async function inView<T>(make: () => T | Promise<T>): Promise<T> {
  try {
    return await make();
  } catch (err) {
    if (err instanceof ViewError) throw new HttpError(err.status, err.message);
    throw err;
  }
}

export function mapRoutes(router: Router, map: MapService): void {
  const compressed = createCompressedCache();
  router.get('/map.svg', async (ctx) => send(ctx, await inView(() => map.svg(viewOf(ctx))), 'image/svg+xml; charset=utf-8', compressed));
  router.get('/map.nomnoml', async (ctx) => send(ctx, await inView(() => map.source(viewOf(ctx))), 'text/plain; charset=utf-8', compressed));
  router.get('/map.json', async (ctx) => send(ctx, await inView(() => map.cells(viewOf(ctx))), 'application/json; charset=utf-8', compressed));
}
