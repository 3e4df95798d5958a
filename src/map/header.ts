// The map's header: its title and the legend, drawn above the diagram nomnoml laid out.
import { STATUSES } from '../types.ts';
import { LINE_COLOUR, STATUS_COLOURS } from './palette.ts';
import { escapeXml } from './escape.ts';
import { textWidth } from './measure.ts';

const ROW = 26;
const GAP = 18;

/**
 * The title and the legend above the diagram, wrapped into rows no wider than the diagram (a
 * small map stays small on a phone). The viewBox grows upwards, so nothing nomnoml laid out
 * moves. Drawn here rather than as nomnoml nodes, which dagre would place as one more box.
 */
export function headerMarkup(title: string, diagramWidth: number): { markup: string; width: number; height: number } {
  const font = 'font-family="Helvetica" font-size="12pt"';
  const maxWidth = Math.max(diagramWidth - 28, 300);
  const items: { width: number; title?: boolean; draw: (x: number, y: number) => string }[] = [];
  if (title) {
    items.push({
      title: true,
      width: Math.ceil(textWidth(title) * 0.95),
      draw: (x, y) => `<text class="pm-title" x="${x}" y="${y + 15}" ${font} font-weight="bold">${escapeXml(title)}</text>`,
    });
  }
  for (const status of STATUSES) {
    const c = STATUS_COLOURS[status];
    const dash = c.dashed ? ' stroke-dasharray="3 3"' : '';
    items.push({
      width: 22 + Math.ceil(textWidth(status) * 0.85),
      draw: (x, y) => `<g class="pm-swatch pm-${status}"><rect x="${x}" y="${y + 1}" width="16" height="16" rx="3" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"${dash}></rect>`
        + `<text x="${x + 22}" y="${y + 15}" ${font}>${status}</text></g>`,
    });
  }
  const rows: (typeof items)[] = [[]];
  let used = 0;
  for (const item of items) {
    if (used > 0 && used + item.width > maxWidth) { rows.push([]); used = 0; }
    rows.at(-1)!.push(item);
    used += item.width + GAP;
  }
  const height = rows.length * ROW + 14;
  let width = 0;
  let heading = '';
  const swatches: string[] = [];
  rows.forEach((row, r) => {
    let x = 28;
    const y = -height + 8 + r * ROW;
    for (const item of row) {
      if (item.title) heading = item.draw(x, y);
      else swatches.push(item.draw(x, y));
      x += item.width + GAP;
    }
    width = Math.max(width, x);
  });
  const markup = `<g class="pm-header" fill="${LINE_COLOUR}" stroke="none">${heading}<g class="pm-legend">${swatches.join('')}</g></g>`;
  return { markup, width, height };
}
