// Editing entities through entities.yaml: GET /config, POST/PUT/PATCH/DELETE /entities, GET /audit.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { checkRole, requireRole } from '../../auth/identity.ts';
import type { AuditLog } from '../../editing/audit.ts';
import { EditRefused, ValidationFailed } from '../../editing/service.ts';
import type { ChangeRequest, ChangeResult, Editor } from '../../editing/service.ts';
import type { Role } from '../../auth/types.ts';
import type { Fields } from '../../editing/entity-edit.ts';
import { formatProblem } from '../../config/errors.ts';
import { schema } from '../../config/schema.ts';
import { readBody } from '../body.ts';
import { HttpError } from '../errors.ts';

export interface ConfigRouteDeps {
  readonly editor: Editor;
  readonly audit: AuditLog;
}

const MAX_AUDIT = 1000;

/** What a write answers: the result (ETag header too), 422 with every problem, or the refusal. */
export async function respond(ctx: Context, role: Role, ok: number | ((result: ChangeResult) => number), change: (meta: { ifMatch: string | null; by: string; dryRun: boolean }) => Promise<ChangeResult>): Promise<void> {
  const who = checkRole(ctx, role);
  const dryRun = ctx.query.dry_run === '1' || ctx.query.dry_run === 'true';
  try {
    const result = await change({ ifMatch: ctx.get('if-match') || null, by: who.name ?? 'anonymous', dryRun });
    ctx.set('ETag', result.etag);
    const okStatus = typeof ok === 'number' ? ok : ok(result);
    if (okStatus === 204 && !dryRun) {
      ctx.status = 204;
      return;
    }
    ctx.status = dryRun ? 200 : result.changed ? okStatus : 200;
    ctx.body = { name: result.name, changed: result.changed, etag: result.etag, diff: result.diff, dry_run: dryRun };
  } catch (err) {
    if (err instanceof ValidationFailed) {
      ctx.status = 422;
      ctx.body = {
        error: `the change would make entities.yaml invalid:\n${err.problems.map(formatProblem).join('\n')}`,
        errors: err.problems.map((p) => ({ path: p.pointer ?? '', message: p.message, line: p.line, col: p.col })),
      };
      return;
    }
    if (err instanceof EditRefused) throw refusal(err);
    throw err;
  }
}

/** An edit refused: its status, and for a 422 the field it points at. */
export function refusal(err: EditRefused): HttpError {
  return new HttpError(err.status, err.message, err.status === 422 ? [{ path: err.pointer ?? '', message: err.message }] : undefined);
}

function run(ctx: Context, editor: Editor, request: Omit<ChangeRequest, 'ifMatch' | 'by' | 'dryRun'>, okStatus: number): Promise<void> {
  return respond(ctx, 'editor', okStatus, (meta) => editor.change({ ...request, ...meta }));
}

export function configRoutes(router: Router, deps: ConfigRouteDeps): void {
  const { editor } = deps;

  router.get('/config', requireRole('editor'), async (ctx) => {
    const { text, etag } = await editor.config();
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { text, etag };
  });

  // The page builds its forms from the schema's fields, defaults and descriptions.
  router.get('/config/schema', requireRole('editor'), (ctx) => {
    ctx.body = schema;
  });

  router.get('/config/entities/:name', requireRole('editor'), async (ctx) => {
    let found;
    try {
      found = await editor.entity(ctx.params.name!);
    } catch (err) {
      if (err instanceof EditRefused) throw new HttpError(err.status, err.message);
      throw err;
    }
    if (!found) throw new HttpError(404, `no entity named '${ctx.params.name}'`);
    ctx.set('ETag', found.etag);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = found;
  });

  router.post('/entities', async (ctx) => {
    checkRole(ctx, 'editor');
    const { data } = await readBody(ctx);
    const { name, ...fields } = data;
    if (typeof name !== 'string' || name === '') throw new HttpError(400, 'send the new entity\'s "name"');
    await run(ctx, editor, { action: 'create', name, fields: fields as Fields }, 201);
  });

  router.put('/entities/:name', async (ctx) => {
    checkRole(ctx, 'editor');
    const { data } = await readBody(ctx);
    await run(ctx, editor, { action: 'replace', name: ctx.params.name!, fields: data as Fields }, 200);
  });

  router.patch('/entities/:name', async (ctx) => {
    checkRole(ctx, 'editor');
    const { data } = await readBody(ctx);
    await run(ctx, editor, { action: 'update', name: ctx.params.name!, fields: data as Fields }, 200);
  });

  router.delete('/entities/:name', async (ctx) => {
    await run(ctx, editor, { action: 'delete', name: ctx.params.name! }, 204);
  });

  router.get('/audit', requireRole('admin'), async (ctx) => {
    const raw = ctx.query.limit;
    const limit = raw === undefined ? 100 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT) throw new HttpError(400, `limit must be an integer from 1 to ${MAX_AUDIT}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.audit.list(limit);
  });
}
