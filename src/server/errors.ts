// The one error type handlers throw; the error middleware turns it into `{ "error": "..." }`.
import type { Context, Next } from 'koa';
import type { Logger } from '../log.ts';
import { StoreUnavailableError } from '../store/health.ts';

export class HttpError extends Error {
  readonly status: number;
  /** For a 422: the fields at fault, as `{ path, message }` (JSON pointers into the request or the file). */
  readonly errors: readonly { path: string; message: string }[] | undefined;
  constructor(status: number, message: string, errors?: readonly { path: string; message: string }[]) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

export function errorMiddleware(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpError(404, `no route for ${ctx.method} ${ctx.path}`);
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        // A read the memory cannot answer (history, series, reports) while the store fails.
        ctx.status = 503;
        ctx.body = { error: err.message };
        return;
      }
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = err.errors ? { error: err.message, errors: err.errors } : { error: err.message };
        return;
      }
      if (isClientError(err)) {
        // A middleware's own refusal: the caller's mistake, not a fault.
        logger.debug({ err: err.message, path: ctx.path }, 'request refused');
        ctx.status = err.status;
        ctx.body = { error: err.message };
        return;
      }
      logger.error({ err: err instanceof Error ? err.message : String(err), path: ctx.path }, 'request failed');
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    }
  };
}

/** An http-errors error (what Koa's `ctx.throw` and koa-send throw) with a 4xx status. */
export function isClientError(err: unknown): err is Error & { status: number } {
  const status = (err as { status?: unknown } | null)?.status;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}
