// The dependency graph: references that must exist, no cycles, and the one way to walk it.
import type { ConfigIssue } from './errors.ts';
import { didYouMean } from './suggest.ts';

/** Entity name -> the names it depends on, both in file order. */
export type DependencyMap = ReadonlyMap<string, readonly string[]>;

/** Unknown names, self-references and cycles, each pointing at the offending list item. */
export function checkDependencies(graph: DependencyMap): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = [...graph.keys()];
  for (const [name, deps] of graph) {
    deps.forEach((dep, i) => {
      const path = ['entities', name, 'dependencies', i];
      if (dep === name) {
        issues.push({ path, at: 'value', message: `${name}: depends on itself` });
      } else if (!graph.has(dep)) {
        const hint = didYouMean(dep, names.filter((n) => n !== name));
        issues.push({ path, at: 'value', message: `${name}: unknown dependency '${dep}'${hint}` });
      }
    });
  }
  for (const cycle of findCycles(graph)) {
    const [first, second] = cycle;
    const index = graph.get(first!)!.indexOf(second!);
    issues.push({ path: ['entities', first!, 'dependencies', index], at: 'value', message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  return issues;
}

/** Only edges to other existing entities: self-references and unknown names are reported apart. */
function edges(graph: DependencyMap, name: string): string[] {
  return (graph.get(name) ?? []).filter((d) => d !== name && graph.has(d));
}

/**
 * One cycle per strongly connected component, as `[a, b, ..., a]`, starting at the member that
 * comes first in the file, so the same mistake reads the same way each time.
 */
export function findCycles(graph: DependencyMap): string[][] {
  const order = [...graph.keys()];
  const rank = new Map(order.map((n, i) => [n, i]));
  const cycles: string[][] = [];
  for (const component of stronglyConnected(graph)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = component.reduce((a, b) => (rank.get(a)! <= rank.get(b)! ? a : b));
    // Shortest way from start back to itself inside the component (breadth first).
    const previous = new Map<string, string>();
    const queue = [start];
    let head = 0;
    search: while (head < queue.length) {
      const node = queue[head++]!;
      for (const next of edges(graph, node)) {
        if (!members.has(next)) continue;
        if (next === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          cycles.push([...path, start]);
          break search;
        }
        if (!previous.has(next)) {
          previous.set(next, node);
          queue.push(next);
        }
      }
    }
  }
  return cycles.sort((a, b) => rank.get(a[0]!)! - rank.get(b[0]!)!);
}

/** Tarjan's algorithm, iterative so a long dependency chain cannot overflow the stack. */
function stronglyConnected(graph: DependencyMap): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number; out: string[] }[] = [];
    const enter = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, next: 0, out: edges(graph, node) });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.next < frame.out.length) {
        const child = frame.out[frame.next++]!;
        if (!index.has(child)) enter(child);
        else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        result.push(component);
      }
    }
  }
  return result;
}

/** What a walk does after visiting an entity: go on below it, not below it, or end. */
export type WalkStep = 'continue' | 'skip' | 'stop';

/** For each entity, the entities that depend on it directly, in file order. */
export function dependentsOf(config: { readonly entities: readonly { readonly name: string; readonly dependencies: readonly string[] }[] }): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const e of config.entities) {
    for (const dep of e.dependencies) {
      const list = dependents.get(dep);
      if (list) list.push(e.name);
      else dependents.set(dep, [e.name]);
    }
  }
  return dependents;
}

/**
 * The one walk over the dependency graph. From `start` (not visited itself), each entity is
 * visited once: depth first in list order (file order for dependencies), or breadth first
 * (nearest first). `next` gives an entity's neighbours: its dependencies to walk down, its
 * dependents to walk up. Cycles and unknown names cannot loop it.
 */
export function walkGraph(
  start: string,
  next: (name: string) => readonly string[] | undefined,
  visit: (name: string) => WalkStep | void,
  order: 'depth' | 'breadth' = 'depth',
): void {
  const seen = new Set<string>([start]);
  const pending = [...(next(start) ?? [])];
  if (order === 'depth') pending.reverse();
  // Breadth first reads the queue from `head` on: shift() would move the whole queue each time,
  // quadratic for an entity with thousands of dependents.
  let head = 0;
  while (head < pending.length) {
    const name = order === 'depth' ? pending.pop()! : pending[head++]!;
    if (seen.has(name)) continue;
    seen.add(name);
    const step = visit(name) ?? 'continue';
    if (step === 'stop') return;
    if (step === 'skip') continue;
    const more = next(name) ?? [];
    if (order === 'depth') for (let i = more.length - 1; i >= 0; i--) pending.push(more[i]!);
    else pending.push(...more);
  }
}
