// Public, anonymous, read-only: status pages (/status, /status/SLUG, /status/SLUG.json) and
// badges (/badge/NAME/..., /badge/group/PATH/...). They show only what a status page lists
// (src/status/view.ts); nothing here needs or reads a login.
import { createHash } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../errors.ts';
import type { BadgeKind, BadgeSubject, StatusService } from '../../status/service.ts';
import { escapeHtml, renderStatusHtml } from '../../status/html.ts';
import type { Config } from '../../types.ts';
import { isWindowName, WINDOW_NAMES } from '../../series/windows.ts';

/** Answers 304 when the client has this body already. */
function sendCached(ctx: Context, body: string, type: string, maxAge: number): void {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', `public, max-age=${maxAge}`);
  ctx.type = type;
  if (ctx.get('if-none-match').split(/\s*,\s*/).includes(etag)) {
    ctx.status = 304;
    return;
  }
  ctx.body = body;
}

export function statusRoutes(router: Router, status: StatusService, config: () => Config): void {
  async function page(ctx: Context, slug: string, json: boolean, base: string): Promise<void> {
    const view = await status.view(slug);
    if (!view) throw new HttpError(404, `no status page '${slug}'`);
    if (json) sendCached(ctx, JSON.stringify(view), 'application/json; charset=utf-8', 15);
    else sendCached(ctx, renderStatusHtml(view, base), 'text/html; charset=utf-8', 15);
  }

  /** /status and /status.json: the one page, or the list of pages when there are several. */
  async function index(ctx: Context, json: boolean): Promise<void> {
    const pages = config().status_pages;
    if (pages.length === 1) return page(ctx, pages[0]!.slug, json, '');
    if (pages.length === 0) throw new HttpError(404, 'no status pages are configured (status_pages: in entities.yaml)');
    const list = pages.map((p) => ({ slug: p.slug, title: p.title, url: `status/${p.slug}` }));
    if (json) return sendCached(ctx, JSON.stringify(list), 'application/json; charset=utf-8', 15);
    const e = escapeHtml;
    sendCached(ctx, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Status</title><link rel="stylesheet" href="status.css"></head><body><main><h1>Status</h1><ul>${list.map((p) => `<li><a href="${e(p.url)}">${e(p.title)}</a></li>`).join('')}</ul></main></body></html>`, 'text/html; charset=utf-8', 15);
  }

  router.get('/status', (ctx) => index(ctx, false));
  router.get('/status.json', (ctx) => index(ctx, true));
  router.get('/status/:slug', async (ctx) => {
    const raw = ctx.params.slug!;
    const json = raw.endsWith('.json');
    await page(ctx, json ? raw.slice(0, -5) : raw, json, '../');
  });

  async function badge(ctx: Context, subject: BadgeSubject, kind: BadgeKind): Promise<void> {
    const svg = await status.badge(subject, kind);
    // Unlisted and unknown look the same: a badge URL tells nothing about what exists.
    if (svg === null) throw new HttpError(404, `no such badge: badges exist for the ${subject.kind === 'entity' ? 'entities' : 'groups'} a status page lists (or all with badges: all)`);
    sendCached(ctx, svg, 'image/svg+xml; charset=utf-8', 60);
  }
  const uptime = (raw: string): BadgeKind => {
    if (!isWindowName(raw)) throw new HttpError(400, `window must be one of ${WINDOW_NAMES.join(', ')}`);
    return { what: 'uptime', window: raw };
  };
  const group = (ctx: Context): BadgeSubject => ({ kind: 'group', name: String(ctx.params.path) });
  const entity = (ctx: Context): BadgeSubject => ({ kind: 'entity', name: ctx.params.name! });

  router.get('/badge/group/*path/status.svg', (ctx) => badge(ctx, group(ctx), { what: 'status' }));
  router.get('/badge/group/*path/latency.svg', (ctx) => badge(ctx, group(ctx), { what: 'latency' }));
  router.get('/badge/group/*path/uptime/:window.svg', (ctx) => badge(ctx, group(ctx), uptime(ctx.params.window!)));
  router.get('/badge/:name/status.svg', (ctx) => badge(ctx, entity(ctx), { what: 'status' }));
  router.get('/badge/:name/latency.svg', (ctx) => badge(ctx, entity(ctx), { what: 'latency' }));
  router.get('/badge/:name/uptime/:window.svg', (ctx) => badge(ctx, entity(ctx), uptime(ctx.params.window!)));
}
