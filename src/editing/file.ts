// Reading entities.yaml with its ETag, and writing it atomically: a temporary file beside it,
// fsync, rename over the original, fsync the directory. A crash leaves the old or the new file.
import { createHash } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { configMaxBytes, readBounded } from '../config/limits.ts';

/** A strong ETag of the file's exact bytes. */
export function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-Match header matches `etag` (`*` matches anything; weak tags never do). */
export function matches(ifMatch: string, etag: string): boolean {
  return ifMatch.split(',').map((t) => t.trim()).some((t) => t === '*' || t === etag);
}

/** The file's text, refused like a load would refuse it when it is over the size limit. */
export async function readConfigText(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  return readBounded(file, configMaxBytes(file, env));
}

export async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const mode = await stat(file).then((s) => s.mode & 0o7777, () => 0o644);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
