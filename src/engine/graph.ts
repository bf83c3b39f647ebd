// The desired graph, checked and indexed: every dependency (explicit, implied by output
// references, parent, provider) resolved to a resource that exists, no cycles, and for each
// resource its "height" (longest chain of dependents below it) so the scheduler can start
// the longest chains first.
import type { ResourceSpec, DesiredState } from './model.ts';
import { referencedUrns } from './values.ts';
import type { InputValue } from './values.ts';
import { EngineError } from './errors.ts';
import { rootStackUrn } from './urn.ts';

export interface GraphNode {
  spec: ResourceSpec;
  /** Every resource this one waits for, in the desired graph (excluding the root stack). */
  deps: string[];
  /** Input key → resources its value refers to (Pulumi's propertyDependencies). */
  propertyDeps: Record<string, string[]>;
  /** The `dependencies` written to the checkpoint: explicit plus referenced. */
  stateDeps: string[];
  dependents: string[];
}

export interface DesiredIndex {
  stack: string;
  rootUrn: string;
  nodes: Map<string, GraphNode>;
  /** Topological order (dependencies first). */
  order: string[];
}

export function indexDesired(desired: DesiredState): DesiredIndex {
  const rootUrn = rootStackUrn(desired.stack);
  const nodes = new Map<string, GraphNode>();
  for (const spec of desired.resources) {
    if (spec.urn === rootUrn) throw new EngineError(`the desired graph must not contain the root stack resource ${rootUrn}; set stackOutputs instead`);
    if (nodes.has(spec.urn)) throw new EngineError(`two resources have the URN ${spec.urn}`, { hint: 'Give them different names.' });
    const propertyDeps: Record<string, string[]> = {};
    const referenced = new Set<string>();
    for (const [key, value] of Object.entries(spec.inputs)) {
      const urns = referencedUrns(value as InputValue);
      if (urns.size > 0) propertyDeps[key] = [...urns];
      for (const u of urns) referenced.add(u);
    }
    const stateDeps = unique([...spec.dependsOn, ...referenced]);
    const deps = unique([...stateDeps, ...(spec.provider ? [spec.provider] : []), ...(spec.parent && spec.parent !== rootUrn ? [spec.parent] : [])]);
    nodes.set(spec.urn, { spec, deps, propertyDeps, stateDeps, dependents: [] });
  }
  for (const node of nodes.values()) {
    for (const dep of node.deps) {
      const target = nodes.get(dep);
      if (!target) {
        const what = dep === node.spec.provider ? 'uses the provider' : dep === node.spec.parent ? 'has the parent' : 'depends on';
        throw new EngineError(`resource ${node.spec.urn} ${what} ${dep}, which is not in the desired graph`);
      }
      if (dep === node.spec.urn) throw new EngineError(`resource ${dep} depends on itself`);
      target.dependents.push(node.spec.urn);
    }
  }
  return { stack: desired.stack, rootUrn, nodes, order: topoOrder(nodes) };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Kahn's algorithm; on a cycle, names the resources on it. */
function topoOrder(nodes: Map<string, GraphNode>): string[] {
  const indegree = new Map<string, number>();
  for (const [urn, n] of nodes) indegree.set(urn, n.deps.length);
  const ready: string[] = [];
  for (const [urn, d] of indegree) if (d === 0) ready.push(urn);
  const order: string[] = [];
  // First in, first out: siblings keep the order they were declared in.
  for (let i = 0; i < ready.length; i++) {
    const urn = ready[i]!;
    order.push(urn);
    for (const dep of nodes.get(urn)!.dependents) {
      const d = indegree.get(dep)! - 1;
      indegree.set(dep, d);
      if (d === 0) ready.push(dep);
    }
  }
  if (order.length !== nodes.size) {
    const cycle = findCycle(nodes, new Set(order));
    throw new EngineError(`the resources depend on each other in a cycle: ${cycle.join(' -> ')}`, {
      hint: 'Remove one of these dependencies (an output reference or dependsOn).',
    });
  }
  return order;
}

function findCycle(nodes: Map<string, GraphNode>, done: Set<string>): string[] {
  const start = [...nodes.keys()].find((u) => !done.has(u))!;
  const seen = new Map<string, number>();
  const path: string[] = [];
  let cur = start;
  while (!seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = nodes.get(cur)!.deps.find((d) => !done.has(d))!;
  }
  return [...path.slice(seen.get(cur)!), cur];
}

/** Everything that depends on any of `urns`, transitively (not including them). */
export function transitiveDependents(urns: Iterable<string>, dependentsOf: (urn: string) => Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...urns];
  while (stack.length > 0) {
    for (const d of dependentsOf(stack.pop()!)) {
      if (!out.has(d)) {
        out.add(d);
        stack.push(d);
      }
    }
  }
  return out;
}
