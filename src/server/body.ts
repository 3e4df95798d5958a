// Request bodies: JSON or an HTML form, read up to a limit; anything else is a clear 4xx.
import type { Context } from 'koa';
import { HttpError } from './errors.ts';

const DEFAULT_LIMIT = 1024 * 1024;

async function readText(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON object, or the fields of an urlencoded form (`form: true` on the result). */
export async function readBody(ctx: Context, limit = DEFAULT_LIMIT): Promise<{ data: Record<string, unknown>; form: boolean }> {
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { data: Object.fromEntries(new URLSearchParams(await readText(ctx, limit))), form: true };
  }
  if (type !== 'application/json') throw new HttpError(415, 'send the body as application/json');
  const text = await readText(ctx, limit);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new HttpError(400, 'the body must be a JSON object');
  return { data: data as Record<string, unknown>, form: false };
}
