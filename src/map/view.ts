// Which view of the map a request asks for: `?group=PATH`, `?range=FIRST..LAST`, `?focus=NAME`,
// `?view=problems|all|overview`, or nothing (the whole map while it is small, else the overview). Pure.
import type { Config } from '../types.ts';

export type ViewSpec =
  | { readonly kind: 'all' }
  | { readonly kind: 'overview' }
  | { readonly kind: 'problems' }
  | { readonly kind: 'group'; readonly path: string }
  /** Groups of one level from FIRST to LAST in name order (full paths: `eu/api-001..eu/api-120`). */
  | { readonly kind: 'range'; readonly range: string }
  | { readonly kind: 'focus'; readonly name: string };

export interface ViewQuery {
  readonly group?: string | undefined;
  readonly focus?: string | undefined;
  readonly range?: string | undefined;
  readonly view?: string | undefined;
}

/** A request for a view that cannot exist (400), or of something that does not (404). */
export class ViewError extends Error {
  readonly status: 400 | 404;
  constructor(status: 400 | 404, message: string) {
    super(message);
    this.status = status;
  }
}

const VIEWS = ['all', 'overview', 'problems'] as const;

/** The view a query asks for; null for "the default". Throws ViewError (400) on a bad query. */
export function parseViewQuery(q: ViewQuery): ViewSpec | null {
  const given = [q.group !== undefined, q.focus !== undefined, q.range !== undefined, q.view !== undefined].filter(Boolean).length;
  if (given > 1) throw new ViewError(400, 'ask for one view: group, range, focus or view');
  if (q.group !== undefined) return { kind: 'group', path: q.group.replace(/^\/+|\/+$/g, '') };
  if (q.range !== undefined) {
    if (!q.range.includes('..')) throw new ViewError(400, `a range is FIRST..LAST, not '${q.range}'`);
    return { kind: 'range', range: q.range };
  }
  if (q.focus !== undefined) return { kind: 'focus', name: q.focus };
  if (q.view !== undefined) {
    if (!(VIEWS as readonly string[]).includes(q.view)) throw new ViewError(400, `unknown view '${q.view}' (${VIEWS.join(', ')})`);
    return { kind: q.view as (typeof VIEWS)[number] };
  }
  return null;
}

/** No query: the whole map while it has at most `map.max_entities` entities, else the overview. */
export function defaultView(config: Config): ViewSpec {
  return config.entities.length <= config.map.max_entities ? { kind: 'all' } : { kind: 'overview' };
}

/** A short stable name of the view: the cache key and the SVG's `data-view`. */
export function viewName(spec: ViewSpec): string {
  switch (spec.kind) {
    case 'group': return `group:${spec.path}`;
    case 'focus': return `focus:${spec.name}`;
    case 'range': return `range:${spec.range}`;
    default: return spec.kind;
  }
}
