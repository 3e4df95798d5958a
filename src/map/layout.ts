// The slow part: nomnoml parses and lays out the source and renders it once; the result becomes
// a template. Synchronous and CPU-bound, so it only runs inside the layout process (and in tests).
import nomnoml from 'nomnoml';
import type { LayoutJob } from './source.ts';
import { buildTemplate } from './template.ts';
import type { MapTemplate } from './template.ts';

export function layoutMap(job: LayoutJob): MapTemplate {
  return buildTemplate(nomnoml.renderSvg(job.source), job);
}
