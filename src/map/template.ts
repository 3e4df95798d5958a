// nomnoml's SVG -> a template: the laid-out markup with holes where status colours and live cell
// text go, so a status change or a new figure is a string join, not a layout. Also strips <desc>
// (nomnoml embeds the whole source there), sets the lines under a cell's name in a smaller type
// (the name is the largest text), names every edge by the cells it joins, and draws the edges
// that cross a group frame in the whole map, which nomnoml cannot draw. Runs in the layout
// process; pure.
import type { DrawnEdge, LayoutJob } from './source.ts';
import { crossEdgeLayer, edgeAttributes } from './edges.ts';
import type { Box } from './edges.ts';

export type Hole =
  /** Extra attributes on the cell's outer <g>: class, data-entity or data-group, tabindex... */
  | { readonly kind: 'node'; readonly id: string }
  /** fill/stroke/dash of the cell's shape. */
  | { readonly kind: 'shape'; readonly id: string }
  /** Text colour of one compartment. */
  | { readonly kind: 'ink'; readonly id: string }
  /** Content of one text line: compartment c, line i. */
  | { readonly kind: 'text'; readonly id: string; readonly c: number; readonly i: number };

export interface MapTemplate {
  /** Markup around the holes: parts.length === holes.length + 1. */
  readonly parts: readonly string[];
  readonly holes: readonly Hole[];
  /** Node id -> node key. */
  readonly refs: Readonly<Record<string, string>>;
}

interface Frame {
  readonly dx: number;
  readonly dy: number;
  readonly id: string | undefined;
  /** 'node' for a cell's outer group, 'shape' for the group that draws its outline. */
  readonly role: 'node' | 'shape' | 'other';
}

/** Type size of the lines under a cell's name (the name keeps nomnoml's 12pt). */
const SMALL_TYPE = '10pt';

const ATTR = /([\w:-]+)="([^"]*)"/g;

function attrsOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(ATTR)) out[m[1]!] = m[2]!;
  return out;
}

function translate(value: string | undefined): [number, number] {
  const m = value && /translate\(\s*(-?[\d.]+)[ ,]+(-?[\d.]+)\s*\)/.exec(value);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/**
 * nomnoml draws the edges of a compartment before its cells, in source order, without naming
 * them: per edge its label, its line (`fill="none"`) and its arrowhead. This tells which edge an
 * unnamed <path> or <text> belongs to.
 */
function edgeTracker(drawn: readonly DrawnEdge[]): (a: Record<string, string>, refs: Readonly<Record<string, string>>, tag: string) => DrawnEdge | undefined {
  const byContainer = new Map<string, DrawnEdge[]>();
  for (const e of drawn) byContainer.set(e.in, [...(byContainer.get(e.in) ?? []), e]);
  const lines = new Map<string, number>();
  return (a, refs, tag) => {
    const name = a['data-name'];
    // Top level: no data-name. Inside a frame: the frame's name in its body compartment.
    const container = name === undefined ? '' : refs[name] === undefined && a['data-compartment'] === '1' ? name : null;
    if (container === null) return undefined;
    const edges = byContainer.get(container);
    if (!edges) return undefined;
    const seen = lines.get(container) ?? 0;
    if (tag === 'text') return edges[seen];
    if (a.fill === 'none') {
      lines.set(container, seen + 1);
      return edges[seen];
    }
    return edges[seen - 1];
  };
}

export function buildTemplate(svg: string, job: Pick<LayoutJob, 'refs' | 'crossEdges' | 'drawn'>): MapTemplate {
  const edgeOf = edgeTracker(job.drawn);
  const parts: string[] = [];
  const holes: Hole[] = [];
  const boxes = new Map<string, Box>();
  const lineCount = new Map<string, number>();
  const stack: Frame[] = [];
  let out = '';
  const hole = (h: Hole): void => { parts.push(out); holes.push(h); out = ''; };
  const origin = (): [number, number] => stack.reduce<[number, number]>(([x, y], f) => [x + f.dx, y + f.dy], [0, 0]);

  const source = svg.replace(/<desc\b[^>]*>[\s\S]*?<\/desc>\s*/, '');
  const tokens = source.split(/(<[^>]+>)/);
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (!token.startsWith('<')) { out += token; continue; }
    if (token.startsWith('</g')) { stack.pop(); out += token; continue; }
    if (token.startsWith('<svg')) {
      out += token.replace('<svg ', '<svg class="pm-map" ');
      continue;
    }
    const a = attrsOf(token);
    const id = a['data-name'];
    const known = id !== undefined && job.refs[id] !== undefined;
    const parent = stack.at(-1);
    if (token.startsWith('<g')) {
      const [dx, dy] = translate(a.transform);
      let role: Frame['role'] = 'other';
      if (known && Object.keys(a).length === 1 && parent?.id !== id) {
        role = 'node';
        out += '<g';
        hole({ kind: 'node', id });
        out += ` data-name="${id}">`;
      } else if (known && parent?.role === 'node' && parent.id === id && a.fill !== undefined && a['data-compartment'] === undefined) {
        role = 'shape';
        out += '<g';
        hole({ kind: 'shape', id });
        out += ` data-name="${id}">`;
      } else if (known && a['data-compartment'] !== undefined && a['data-compartment'] !== '0' && a['font-size'] !== undefined) {
        // Measured at the map's font size, drawn smaller: the text always fits its box.
        out += token.replace(/ font-size="[^"]*"/, ` font-size="${SMALL_TYPE}"`);
      } else if (known && a['data-compartment'] !== undefined && a.fill !== undefined) {
        out += token.replace(/ fill="[^"]*"/, '').slice(0, -1);
        hole({ kind: 'ink', id });
        out += '>';
      } else {
        out += token;
      }
      stack.push({ dx, dy, id, role });
      continue;
    }
    if (token.startsWith('<rect') && parent?.role === 'shape' && id !== undefined && !boxes.has(id)) {
      const [ox, oy] = origin();
      boxes.set(id, { x: ox + Number(a.x), y: oy + Number(a.y), w: Number(a.width), h: Number(a.height) });
    }
    if (token.startsWith('<path') || (token.startsWith('<text') && !known)) {
      const edge = edgeOf(a, job.refs, token.startsWith('<path') ? 'path' : 'text');
      out += edge ? token.slice(0, -1) + edgeAttributes(edge.from, edge.to, job.refs) + '>' : token;
      continue;
    }
    if (token.startsWith('<text') && known && a['data-compartment'] !== undefined && tokens[t + 2] === '</text>') {
      const c = Number(a['data-compartment']);
      const key = `${id} ${c}`;
      const i = lineCount.get(key) ?? 0;
      lineCount.set(key, i + 1);
      out += token;
      hole({ kind: 'text', id, c, i });
      t += 1; // the laid-out slot text is replaced by the hole
      continue;
    }
    out += token;
  }
  parts.push(out);
  const edges = crossEdgeLayer(job.crossEdges, boxes, job.refs);
  // Edges under everything else, so cells and frames stay readable where a curve passes behind.
  // A function, not a replacement string: a `$&` in a title must stay text.
  if (edges) parts[0] = parts[0]!.replace(/<svg [^>]*>(?:\s*<title[^>]*>[^<]*<\/title>)?/, (head) => head + edges);
  return { parts, holes, refs: job.refs };
}
