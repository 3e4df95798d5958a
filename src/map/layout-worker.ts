// Worker thread: lays out maps off the thread that serves requests and runs checks.
import { parentPort } from 'node:worker_threads';
import { layoutMap } from './layout.ts';
import type { LayoutJob } from './source.ts';

export interface LayoutRequest {
  readonly seq: number;
  readonly job: LayoutJob;
}

parentPort!.on('message', ({ seq, job }: LayoutRequest) => {
  try {
    parentPort!.postMessage({ seq, template: layoutMap(job) });
  } catch (err) {
    parentPort!.postMessage({ seq, error: err instanceof Error ? err.message : String(err) });
  }
});
