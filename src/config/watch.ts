// Hot reload: watch the directory (editors save by writing a new file and renaming it over the
// old one, which a watch on the file itself would lose), debounce, load, and hand over.
import { createHash } from 'node:crypto';
import { existsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface WatchOptions<T> {
  readonly file: string;
  /** Parses and validates the file; throws with `file:line:col: message` lines on a bad edit. */
  readonly load: (file: string) => Promise<T>;
  readonly onChange: (value: T) => void;
  readonly onError: (lines: string[]) => void;
  /** Reads the file's text; may refuse (a file over the size limit) by throwing. Default: all of it. */
  readonly read?: (file: string) => Promise<string>;
  readonly debounceMs?: number;
}

export interface ConfigWatcher {
  /** Re-reads the file now (also what a change event triggers after the debounce). */
  reload(): Promise<void>;
  close(): void;
}

export function watchConfig<T>(options: WatchOptions<T>): ConfigWatcher {
  const file = path.resolve(options.file);
  const base = path.basename(file);
  const debounceMs = options.debounceMs ?? 250;
  const read = options.read ?? ((f: string) => readFile(f, 'utf8'));
  // A digest, not the text: a rejected file must not stay in memory until the next edit.
  let last: string | null = null;
  const digest = (text: string): string => createHash('sha256').update(text).digest('base64');
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  async function reloadOnce(): Promise<void> {
    let seen: string;
    try {
      seen = digest(await read(file));
    } catch (err) {
      // Mid-rename the file can be briefly missing; the rename's own event reloads again.
      if (!existsSync(file)) return;
      // Refused (too large): `load` refuses it again and reports why, once per distinct refusal.
      seen = `refused: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (seen === last || closed) return;
    last = seen;
    try {
      options.onChange(await options.load(options.file));
    } catch (err) {
      options.onError((err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean));
    }
  }

  function reload(): Promise<void> {
    running = running.then(reloadOnce, reloadOnce);
    return running;
  }

  // The running configuration came from this text: only a different one is a change.
  void read(file).then((t) => { last ??= digest(t); }, () => {});

  let watcher: FSWatcher | null = watch(path.dirname(file), { persistent: false }, (_event, name) => {
    if (name !== null && name !== base) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; void reload(); }, debounceMs);
  });
  watcher.on('error', () => {});

  return {
    reload,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
      watcher = null;
    },
  };
}
