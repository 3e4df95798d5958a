// The layout child process: lays out the maps it is sent, one at a time, replying to each with its
// id, until the parent lets it go (it is retired after a few idle seconds; see render.ts).
// nomnoml's layout is synchronous and needs hundreds of megabytes at a thousand nodes; in a
// process of its own it neither blocks the thread that serves requests and runs checks nor leaves
// that memory behind once the process ends (a worker thread's heap stays with the parent).
import { layoutMap } from './layout.ts';
import type { LayoutJob } from './source.ts';

/** Real layouts done so far: once one is, the process is warm and a pending warm-up is skipped. */
let laidOut = 0;

process.on('message', ({ id, job, warmUp }: { id: number; job: LayoutJob; warmUp?: boolean }) => {
  if (warmUp) {
    // A layout whose only purpose is to have nomnoml's code compiled before the first real one;
    // on the next turn, so a real layout that came with it goes first.
    setImmediate(() => {
      if (laidOut > 0) return;
      try { layoutMap(job); } catch { /* the real layouts will say */ }
    });
    return;
  }
  laidOut += 1;
  let reply: { id: number; template?: unknown; error?: string };
  try {
    reply = { id, template: layoutMap(job) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  // The parent may be gone by now (killed): nothing is left to do then.
  process.send!(reply, (err: Error | null) => { if (err) process.exit(0); });
});
// Let go by the parent (or the parent gone): nothing keeps the process alive.
process.on('disconnect', () => process.exit(0));
