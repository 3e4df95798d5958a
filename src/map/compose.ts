// Template + live model -> the SVG that is served: colours by status, cell text by state.
// A string join over the template; no layout.
import type { Status } from '../types.ts';
import type { MapModel, MapNode, NodeKind } from './source.ts';
import type { MapTemplate } from './template.ts';
import { escapeXml } from './escape.ts';
import { DASH, FLAP_MARK, STATUS_COLOURS } from './palette.ts';

interface Live {
  readonly kind: NodeKind;
  readonly status: Status;
  readonly lines: readonly (readonly string[])[];
  readonly name: string;
  readonly flapping: boolean;
}

/** The attributes that let the page (and tests) find a cell and know what it shows. */
function nodeAttributes(l: Live): string {
  const status = ` data-status="${l.status}"`;
  const name = escapeXml(l.name);
  switch (l.kind) {
    case 'entity':
      return l.flapping
        ? ` class="pm-node pm-${l.status} pm-flapping" data-entity="${name}"${status} data-flapping="true" tabindex="0" role="button" aria-label="${escapeXml(`${l.name}: ${l.status}, flapping`)}"`
        : ` class="pm-node pm-${l.status}" data-entity="${name}"${status} tabindex="0" role="button" aria-label="${escapeXml(`${l.name}: ${l.status}`)}"`;
    case 'stub':
      return ` class="pm-node pm-stub pm-${l.status}" data-entity="${name}" data-stub="true"${status} tabindex="0" role="button" aria-label="${escapeXml(`${l.name} (outside this view): ${l.status}`)}"`;
    case 'group':
      return ` class="pm-node pm-cluster pm-${l.status}" data-group="${name}"${status} tabindex="0" role="button" aria-label="${escapeXml(`group ${l.name || 'ungrouped'}: ${l.status}`)}"`;
    case 'range':
      return ` class="pm-node pm-cluster pm-range pm-${l.status}" data-range="${name}"${status} tabindex="0" role="button" aria-label="${escapeXml(`groups ${l.name.replace('..', ' to ')}: ${l.status}`)}"`;
    case 'note':
      return ' class="pm-note"';
  }
}

/** The live text of every cell by its key: what the page applies in place when nothing moved. */
export function liveCells(model: MapModel): { kind: NodeKind; name: string; status: Status; flapping: boolean; lines: string[][] }[] {
  return model.nodes.filter((n) => n.kind !== 'note').map((n) => ({
    kind: n.kind, name: n.name, status: n.status, flapping: n.flapping ?? false, lines: n.cell.map((c) => c.map((l) => l.text)),
  }));
}

export function composeSvg(template: MapTemplate, model: MapModel, layout = ''): string {
  const byKey = new Map<string, MapNode>(model.nodes.map((n) => [n.key, n]));
  const live = new Map<string, Live>();
  for (const [id, key] of Object.entries(template.refs)) {
    // By key, not id: a template laid out for an older configuration still colours correctly.
    const node = byKey.get(key);
    live.set(id, {
      kind: node?.kind ?? 'entity', status: node?.status ?? 'unknown', lines: node ? node.cell.map((c) => c.map((l) => l.text)) : [],
      name: node?.name ?? key, flapping: node?.flapping ?? false,
    });
  }
  // A function, not a replacement string: a `$&` in a group name must stay text.
  let out = template.parts[0]!.replace('<svg class="pm-map"', () => `<svg class="pm-map" data-view="${escapeXml(model.view)}" data-layout="${escapeXml(layout)}"`);
  template.holes.forEach((hole, k) => {
    const l = live.get(hole.id)!;
    const c = STATUS_COLOURS[l.status];
    switch (hole.kind) {
      case 'node':
        out += nodeAttributes(l);
        break;
      case 'shape':
        out += l.flapping
          ? ` class="pm-shape" fill="${c.fill}" stroke="${FLAP_MARK.stroke}" stroke-dasharray="${FLAP_MARK.dash}" stroke-width="${FLAP_MARK.width}"`
          : ` class="pm-shape" fill="${c.fill}" stroke="${c.stroke}"${c.dashed || l.kind === 'stub' ? ` stroke-dasharray="${DASH}"` : ''}${c.width ? ` stroke-width="${c.width}"` : ''}`;
        break;
      case 'ink':
        out += ` class="pm-ink" fill="${c.ink}"`;
        break;
      case 'text':
        out += escapeXml(l.lines[hole.c]?.[hole.i] ?? '');
        break;
    }
    out += template.parts[k + 1]!;
  });
  return out;
}
