// Configuration + states -> the map: a model of nodes, groups and edges, and its nomnoml source.
// Pure. The same model gives two sources: the live one (/map.nomnoml, real colours and figures)
// and the layout one (neutral classifier, slots instead of figures), whose text alone decides
// whether a new layout is needed.
import type { Config, EntityState, Status } from '../types.ts';
import { STATUSES } from '../types.ts';
import { initialState } from '../monitor/state.ts';
import { walkGraph } from '../config/graph.ts';
import { buildCell } from './cells.ts';
import { reach } from './graph.ts';
import type { Cell } from './cells.ts';
import { cleanText, escapeCell, escapeDirective } from './escape.ts';
import { FRAME_FILL, LINE_COLOUR, STATUS_COLOURS } from './palette.ts';

/**
 * An entity's own cell, an outside entity drawn small (a stub), a group collapsed into one cell,
 * a run of groups collapsed into one cell (a range), a note.
 */
export type NodeKind = 'entity' | 'stub' | 'group' | 'range' | 'note';

export interface MapNode {
  /** Generated nomnoml id: n1, n2... */
  readonly id: string;
  readonly kind: NodeKind;
  /** Unique in the model: the entity name for entities and stubs, `group:PATH` for groups, `range:FIRST..LAST` for ranges. */
  readonly key: string;
  /** Entity name, group path, or `FIRST..LAST` of a range. */
  readonly name: string;
  readonly status: Status;
  readonly cell: Cell;
  /** An entity flapping now: its cell carries a mark (class pm-flapping, data-flapping). */
  readonly flapping?: boolean;
}

export interface MapGroup {
  /** Generated nomnoml id: g1, g2... in order of first appearance. */
  readonly id: string;
  readonly name: string;
  /** Node ids. */
  readonly members: readonly string[];
}

export interface MapEdge {
  readonly from: string;
  readonly to: string;
  /** How many dependencies an aggregated edge stands for, as its label ("12 deps"). */
  readonly label?: string;
}

export interface MapModel {
  readonly title: string;
  /** Which view this is (`all`, `overview`, `group:PATH`, `focus:NAME`, `problems`). */
  readonly view: string;
  readonly nodes: readonly MapNode[];
  /** Frames (the whole map only): entities drawn inside a labelled frame. */
  readonly groups: readonly MapGroup[];
  /** Dependency edges between node ids, from an entity to what it depends on. */
  readonly edges: readonly MapEdge[];
}

/** What the layout process needs. */
export interface LayoutJob {
  readonly source: string;
  /** Cleaned title for the map's header line (the legend is drawn beside it). */
  readonly title: string;
  /** Node id -> node key. */
  readonly refs: Readonly<Record<string, string>>;
  /** Edges that cross a group frame: nomnoml cannot draw them, the SVG post-processing does. */
  readonly crossEdges: readonly MapEdge[];
  /**
   * The edges nomnoml draws, in the order it draws them within each compartment (`in`: the frame's
   * id, '' for the top level), so the SVG's unnamed edge paths can be told apart.
   */
  readonly drawn: readonly DrawnEdge[];
}

export interface DrawnEdge {
  readonly in: string;
  readonly from: string;
  readonly to: string;
}

export type StateLookup = (name: string) => EntityState | undefined;

/** The whole map: every entity, in frames per group. */
export function buildMap(config: Config, stateOf: StateLookup): MapModel {
  const deps = new Map(config.entities.map((e) => [e.name, e.dependencies]));
  const ids = new Map(config.entities.map((e, i) => [e.name, `n${i + 1}`]));
  const nodes = config.entities.map((entity): MapNode => {
    const state = stateOf(entity.name) ?? initialState(entity.name);
    return { id: ids.get(entity.name)!, kind: 'entity', key: entity.name, name: entity.name, status: state.status, cell: buildCell(entity, state, reach(entity.name, deps)) };
  });
  const groups = new Map<string, string[]>();
  for (const entity of config.entities) {
    if (entity.group === null) continue;
    const members = groups.get(entity.group) ?? [];
    members.push(ids.get(entity.name)!);
    groups.set(entity.group, members);
  }
  const edges = config.entities.flatMap((e) =>
    e.dependencies.filter((d) => ids.has(d) && d !== e.name).map((d) => ({ from: ids.get(e.name)!, to: ids.get(d)! })));
  return {
    title: config.title,
    view: 'all',
    nodes,
    groups: [...groups].map(([name, members], i) => ({ id: `g${i + 1}`, name, members })),
    edges,
  };
}

type Mode = 'live' | 'layout';

function directives(model: MapModel, mode: Mode): string[] {
  const out = [
    `#title: ${escapeDirective(model.title)}`,
    '#direction: down',
    '#ranker: tight-tree',
    '#lineWidth: 2',
    '#spacing: 36',
    `#stroke: ${LINE_COLOUR}`,
    '#fill: #ffffff',
    '#font: Helvetica',
    '#background: transparent',
    `#.group: visual=frame fill=${FRAME_FILL} stroke=${LINE_COLOUR} align=left bold`,
    '#.note: visual=none',
  ];
  if (mode === 'layout') return [...out, '#.node: bold', '#.stub: bold', '#.cluster: bold'];
  // The dash is drawn by the recolouring too; here it keeps the live source faithful on its own.
  return [...out, ...STATUSES.map((s) => {
    const c = STATUS_COLOURS[s];
    return `#.${s}: fill=${c.fill} stroke=${c.stroke} bold${c.dashed ? ' dashed' : ''}`;
  })];
}

/** nomnoml classifiers of the layout source: the shape of a cell, never its status. */
const LAYOUT_CLASSIFIER: Readonly<Record<NodeKind, string>> = { entity: 'node', stub: 'stub', group: 'cluster', range: 'cluster', note: 'note' };

function cellSource(node: MapNode, mode: Mode): string {
  const classifier = mode === 'layout' ? LAYOUT_CLASSIFIER[node.kind] : node.kind === 'note' ? 'note' : node.status;
  const parts = node.cell.map((lines) => lines.map((l) => escapeCell(mode === 'layout' ? l.slot : l.text)).join(';'));
  return `[<${classifier} id=${node.id}>${parts.join('|')}]`;
}

/** The nomnoml source; also the layout job for `mode: 'layout'`. */
export function mapSource(model: MapModel, mode: Mode = 'live'): LayoutJob {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const container = new Map<string, string>();
  for (const g of model.groups) for (const m of g.members) container.set(m, g.id);
  const box = (id: string): string => container.get(id) ?? id;

  // The view is part of the source, so two views never share a layout (nor its data-view).
  const lines = [`// pulsemap view: ${escapeDirective(model.view)}`, ...directives(model, mode)];
  const drawn: DrawnEdge[] = [];
  // Nodes before edges: nomnoml keeps the first declaration of a node an edge already created.
  for (const g of model.groups) {
    const inside = model.edges.filter((e) => container.get(e.from) === g.id && container.get(e.to) === g.id);
    lines.push(`[<group id=${g.id}>${escapeCell(g.name)}|`);
    for (const m of g.members) lines.push(`  ${cellSource(byId.get(m)!, mode)}`);
    for (const e of inside) {
      lines.push(`  [${e.from}] -> [${e.to}]`);
      drawn.push({ in: g.id, from: e.from, to: e.to });
    }
    lines.push(']');
  }
  for (const n of model.nodes) if (!container.has(n.id)) lines.push(cellSource(n, mode));

  const crossEdges: MapEdge[] = [];
  const ordering = new Set<string>();
  for (const e of model.edges) {
    const [from, to] = [box(e.from), box(e.to)];
    if (from === e.from && to === e.to) {
      lines.push(e.label ? `[${e.from}] ${escapeCell(e.label)} -> [${e.to}]` : `[${e.from}] -> [${e.to}]`);
      drawn.push({ in: '', from: e.from, to: e.to });
      continue;
    }
    if (from === to) continue; // inside one frame, drawn there
    crossEdges.push(e);
    // An invisible edge between the boxes keeps the dependency below its dependent.
    if (!ordering.has(`${from} ${to}`)) {
      ordering.add(`${from} ${to}`);
      lines.push(`[${from}] -/- [${to}]`);
    }
  }
  for (const e of crossEdges) lines.push(`// ${e.from} -> ${e.to} crosses a group frame: drawn onto the SVG by pulsemap`);

  const refs: Record<string, string> = {};
  for (const n of model.nodes) refs[n.id] = n.key;
  return { source: `${lines.join('\n')}\n`, title: cleanText(model.title, 120), refs, crossEdges, drawn };
}
