// Waiting for something a running service does on its own (a hot reload, a timer's check).
import assert from 'node:assert/strict';

/** Polls `read` until `ok` holds; fails with the last value after `limitMs`. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, limitMs = 5000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
