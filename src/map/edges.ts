// Edges that cross a group frame, drawn onto the laid-out SVG: nomnoml cannot draw an edge
// across a frame's border (it would duplicate the node), so pulsemap draws them from the boxes
// nomnoml placed. Pure; runs in the layout process.
import type { MapEdge } from './source.ts';
import { LINE_COLOUR } from './palette.ts';
import { escapeXml } from './escape.ts';

/**
 * What lets the page find an edge: the keys of the cells it joins (an entity's name, `group:PATH`,
 * `blocked:PATH`), from the dependent to its dependency.
 */
export function edgeAttributes(from: string, to: string, refs: Readonly<Record<string, string>>): string {
  return ` class="pm-edge" data-from="${escapeXml(refs[from] ?? from)}" data-to="${escapeXml(refs[to] ?? to)}"`;
}

export interface Box { x: number; y: number; w: number; h: number }

const ARROW = 10;
const LANE_GAP = 14;
const f = (n: number): string => n.toFixed(1);

interface Point { x: number; y: number }

function arrowHead(end: Point, dir: Point): { tip: Point; markup: string } {
  const tip = { x: end.x - dir.x * ARROW, y: end.y - dir.y * ARROW };
  const side = { x: -dir.y * ARROW * 0.45, y: dir.x * ARROW * 0.45 };
  const d = `M${f(end.x)} ${f(end.y)} L${f(tip.x + side.x)} ${f(tip.y + side.y)} L${f(tip.x - side.x)} ${f(tip.y - side.y)} Z`;
  return { tip, markup: `<path d="${d}" fill="${LINE_COLOUR}"></path>` };
}

const overlaps = (b: Box, x1: number, y1: number, x2: number, y2: number): boolean =>
  b.x < Math.max(x1, x2) && b.x + b.w > Math.min(x1, x2) && b.y < Math.max(y1, y2) && b.y + b.h > Math.min(y1, y2);

/**
 * A vertical lane beside everything between the two boxes, for an edge whose direct curve would
 * pass behind another cell. Widened until the lane itself runs clear.
 */
function lane(from: Box, to: Box, others: readonly Box[], right: boolean): number {
  const top = Math.min(from.y + from.h / 2, to.y + to.h / 2);
  const bottom = Math.max(from.y + from.h / 2, to.y + to.h / 2);
  let x = right ? Math.max(from.x + from.w, to.x + to.w) + LANE_GAP : Math.min(from.x, to.x) - LANE_GAP;
  for (let i = 0; i < others.length + 1; i++) {
    const hit = others.filter((b) => overlaps(b, x - 1, top, x + 1, bottom));
    if (hit.length === 0) break;
    x = right ? Math.max(...hit.map((b) => b.x + b.w)) + LANE_GAP : Math.min(...hit.map((b) => b.x)) - LANE_GAP;
  }
  return x;
}

/**
 * A curve from the dependent's box to the dependency's box, leaving and entering vertically when
 * one is below the other; when that curve would pass behind another cell, a rounded orthogonal
 * route along a lane beside them instead.
 */
export function crossEdgeMarkup(from: Box, to: Box, others: readonly Box[] = []): string {
  const fc = { x: from.x + from.w / 2, y: from.y + from.h / 2 };
  const tc = { x: to.x + to.w / 2, y: to.y + to.h / 2 };
  const below = to.y >= from.y + from.h;
  const above = to.y + to.h <= from.y;
  if (below || above) {
    const start = { x: fc.x, y: below ? from.y + from.h : from.y };
    const end = { x: tc.x, y: below ? to.y : to.y + to.h };
    const blocked = others.some((b) => overlaps(b, start.x - 4, start.y, end.x + 4, end.y));
    if (!blocked) {
      const dir = { x: 0, y: below ? 1 : -1 };
      const { tip, markup } = arrowHead(end, dir);
      const bend = Math.abs(tip.y - start.y) / 2;
      const d = `M${f(start.x)} ${f(start.y)} C${f(start.x)} ${f(start.y + dir.y * bend)} ${f(tip.x)} ${f(tip.y - dir.y * bend)} ${f(tip.x)} ${f(tip.y)}`;
      return `<path d="${d}" fill="none"></path>${markup}`;
    }
  }
  const rightX = lane(from, to, others, true);
  const leftX = lane(from, to, others, false);
  const right = Math.abs(rightX - fc.x) <= Math.abs(fc.x - leftX);
  const x = right ? rightX : leftX;
  const start = { x: right ? from.x + from.w : from.x, y: fc.y };
  const end = { x: right ? to.x + to.w : to.x, y: tc.y };
  const { tip, markup } = arrowHead(end, { x: right ? -1 : 1, y: 0 });
  const r = Math.min(10, Math.abs(end.y - start.y) / 2, Math.abs(x - start.x), Math.abs(x - tip.x));
  const sx = right ? 1 : -1;
  const sy = end.y >= start.y ? 1 : -1;
  const d = `M${f(start.x)} ${f(start.y)} H${f(x - sx * r)} Q${f(x)} ${f(start.y)} ${f(x)} ${f(start.y + sy * r)}`
    + ` V${f(end.y - sy * r)} Q${f(x)} ${f(end.y)} ${f(x - sx * r)} ${f(end.y)} H${f(tip.x)}`;
  return `<path d="${d}" fill="none"></path>${markup}`;
}

export function crossEdgeLayer(edges: readonly MapEdge[], boxes: Map<string, Box>, refs: Readonly<Record<string, string>> = {}): string {
  const drawn = edges.filter((e) => boxes.has(e.from) && boxes.has(e.to)).map((e) => {
    const others = [...boxes].filter(([id]) => id !== e.from && id !== e.to).map(([, b]) => b);
    // Each path of the edge carries its ends, as nomnoml's edges do (see template.ts).
    return crossEdgeMarkup(boxes.get(e.from)!, boxes.get(e.to)!, others).replaceAll('<path ', () => `<path${edgeAttributes(e.from, e.to, refs)} `);
  });
  if (drawn.length === 0) return '';
  return `<g class="pm-cross" stroke="${LINE_COLOUR}" stroke-width="2" stroke-linecap="round">${drawn.join('')}</g>`;
}
