// A short-lived child process that lays out one map and exits. nomnoml's layout is synchronous
// and needs hundreds of megabytes at a thousand nodes; in a process of its own it neither blocks
// the thread that serves requests and runs checks nor leaves that memory behind (a worker
// thread's heap stays with the parent process after the worker ends).
import { layoutMap } from './layout.ts';
import type { LayoutJob } from './source.ts';

process.once('message', (job: LayoutJob) => {
  let reply: { template?: unknown; error?: string };
  try {
    reply = { template: layoutMap(job) };
  } catch (err) {
    reply = { error: err instanceof Error ? err.message : String(err) };
  }
  process.send!(reply, () => process.disconnect());
});
