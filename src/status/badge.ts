// Shields-style badges: a grey label and a coloured value, as a small SVG. Text is escaped and
// measured with a per-character width table for Verdana 11px (the font shields uses), so the
// badge fits its text without a browser to measure it.
import { escapeHtml } from './html.ts';

export const BADGE_COLOURS = {
  green: '#4c1', yellowgreen: '#a4a61d', yellow: '#dfb317', orange: '#fe7d37', red: '#e05d44', grey: '#9f9f9f', blue: '#007ec6',
} as const;
export type BadgeColour = keyof typeof BADGE_COLOURS;

// Average advance widths in px of Verdana at 11px, by character class.
function charWidth(c: string): number {
  if ('il.,:;|!\'`'.includes(c)) return 3.3;
  if ('fjtrI()[]{} -'.includes(c)) return 4.4;
  if ('mwMW%@'.includes(c)) return 10.2;
  if (/[A-Z]/.test(c)) return 7.6;
  if (/[0-9]/.test(c)) return 7;
  return c.charCodeAt(0) > 0x2e7f ? 11 : 6.6;
}

export const textWidth = (text: string): number => Math.ceil([...text].reduce((w, c) => w + charWidth(c), 0));

/** At most this many characters of a label or value are drawn. */
const MAX_TEXT = 60;
const clip = (text: string) => ([...text].length > MAX_TEXT ? `${[...text].slice(0, MAX_TEXT - 1).join('')}…` : text);

export function renderBadge(label: string, value: string, colour: BadgeColour): string {
  const l = clip(label);
  const v = clip(value);
  const lw = textWidth(l) + 10;
  const vw = textWidth(v) + 10;
  const w = lw + vw;
  const fill = BADGE_COLOURS[colour];
  const title = escapeHtml(`${l}: ${v}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${title}"><title>${title}</title>`
    + `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`
    + `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>`
    + `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${fill}"/><rect width="${w}" height="20" fill="url(#s)"/></g>`
    + `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`
    + `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${escapeHtml(l)}</text><text x="${lw / 2}" y="14">${escapeHtml(l)}</text>`
    + `<text x="${lw + vw / 2}" y="15" fill="#010101" fill-opacity=".3">${escapeHtml(v)}</text><text x="${lw + vw / 2}" y="14">${escapeHtml(v)}</text></g></svg>`;
}

export function uptimeColour(ratio: number | null): BadgeColour {
  if (ratio === null) return 'grey';
  if (ratio >= 0.999) return 'green';
  if (ratio >= 0.99) return 'yellowgreen';
  if (ratio >= 0.95) return 'yellow';
  return ratio >= 0.9 ? 'orange' : 'red';
}

export function latencyColour(ms: number | null): BadgeColour {
  if (ms === null) return 'grey';
  if (ms < 200) return 'green';
  if (ms < 500) return 'yellowgreen';
  return ms < 1000 ? 'yellow' : 'orange';
}
