// The page's files. koa-static refuses paths that leave the web directory, carry a NUL byte or
// do not decode; those are the caller's mistake, answered 400 and logged only at debug level.
import type { Context, Next } from 'koa';
import serve from 'koa-static';
import type { Logger } from '../log.ts';
import { HttpError, isClientError } from './errors.ts';

export function staticFiles(dir: string, logger: Logger) {
  const files = serve(dir, { maxage: 0 });
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await files(ctx, next);
    } catch (err) {
      if (!isClientError(err)) throw err;
      logger.debug({ path: ctx.path, reason: err.message }, 'refused a static path');
      throw new HttpError(400, 'invalid path');
    }
  };
}

