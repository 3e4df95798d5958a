// Template + live model -> the SVG that is served: colours by status, cell text by state.
// A string join over the template; no layout.
import type { Status } from '../types.ts';
import type { MapModel } from './source.ts';
import type { MapTemplate } from './template.ts';
import { escapeXml } from './escape.ts';
import { DASH, STATUS_COLOURS } from './palette.ts';

interface Live {
  readonly status: Status;
  readonly lines: readonly (readonly string[])[];
  readonly name: string;
}

export function composeSvg(template: MapTemplate, model: MapModel): string {
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const live = new Map<string, Live>();
  for (const [id, name] of Object.entries(template.refs)) {
    // By name, not id: a template laid out for an older configuration still colours correctly.
    const node = byName.get(name);
    live.set(id, { status: node?.status ?? 'unknown', lines: node ? node.cell.map((c) => c.map((l) => l.text)) : [], name });
  }
  let out = template.parts[0]!;
  template.holes.forEach((hole, k) => {
    const l = live.get(hole.id)!;
    const c = STATUS_COLOURS[l.status];
    switch (hole.kind) {
      case 'node':
        out += ` class="pm-node pm-${l.status}" data-entity="${escapeXml(l.name)}" tabindex="0" role="button" aria-label="${escapeXml(`${l.name}: ${l.status}`)}"`;
        break;
      case 'shape':
        out += ` fill="${c.fill}" stroke="${c.stroke}"${c.dashed ? ` stroke-dasharray="${DASH}"` : ''}`;
        break;
      case 'ink':
        out += ` fill="${c.ink}"`;
        break;
      case 'text':
        out += escapeXml(l.lines[hole.c]?.[hole.i] ?? '');
        break;
    }
    out += template.parts[k + 1]!;
  });
  return out;
}
