// Shared by the map tests: states, node counting and a check that SVG carries no foreign markup.
import nomnoml from 'nomnoml';
import type { EntityState } from '../../src/types.ts';
import { initialState } from '../../src/monitor/state.ts';

export const stateOf = (name: string, over: Partial<EntityState> = {}): EntityState => ({ ...initialState(name), ...over });

interface AstPart { nodes: { id: string; parts: AstPart[] }[] }

/** Entity cells (ids n1, n2...) nomnoml finds in a source, at any depth. */
export function countEntityNodes(source: string): number {
  const walk = (part: AstPart): number =>
    part.nodes.reduce((sum, n) => sum + (/^n\d+$/.test(n.id) ? 1 : 0) + n.parts.reduce((s, p) => s + walk(p), 0), 0);
  return walk((nomnoml as unknown as { parse(s: string): { root: AstPart } }).parse(source).root);
}

const ELEMENTS = new Set(['svg', 'g', 'rect', 'path', 'text', 'title']);
const ATTRIBUTES = /^(?:version|baseProfile|width|height|viewBox|xmlns(?::\w+)?|class|role|tabindex|aria-label|data-[a-z]+|x|y|rx|d|fill|stroke|stroke-[a-z]+|transform|font(?:-[a-z]+)?|text-align|text-anchor)$/;

/** Every element and attribute is one the map draws with; no script, handler or link got in. */
export function foreignMarkup(svg: string): string[] {
  const problems: string[] = [];
  for (const m of svg.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)) {
    if (!ELEMENTS.has(m[1]!)) problems.push(`element ${m[1]}`);
    const rest = m[2]!.replace(/([\w:-]+)="[^"]*"/g, (_a, name: string) => {
      if (!ATTRIBUTES.test(name)) problems.push(`attribute ${name}`);
      return '';
    });
    if (rest.trim() !== '') problems.push(`stray text in a tag: ${rest.trim().slice(0, 40)}`);
  }
  // Text between tags may hold entities but never a raw < (that would be markup).
  for (const text of svg.split(/<[^>]+>/)) if (/[<>]/.test(text)) problems.push(`raw bracket in text: ${text.slice(0, 40)}`);
  return problems;
}

export const entityCells = (svg: string): number => (svg.match(/ data-entity="/g) ?? []).length;

/** Deterministic PRNG for randomized tests. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
