// Pulumi's snapshot integrity rules (STATE-FORMAT.md §2.7) and the order that satisfies them.
// Problems are split into those a re-ordering fixes (a reference to a resource that comes
// later) and those it cannot (dangling references, duplicate live URNs, a wrong magic, an
// id on a component resource, cycles).
import type { ResourceState } from '../types.ts';
import { createHash } from 'node:crypto';

export type ProblemKind = 'magic' | 'component-id' | 'order' | 'dangling' | 'duplicate' | 'cycle';

export interface IntegrityProblem {
  kind: ProblemKind;
  urn?: string;
  message: string;
}

/** manifest.magic: SHA-256 hex of manifest.version, or empty for an empty version. */
export function magicOf(version: string): string {
  return version === '' ? '' : createHash('sha256').update(version).digest('hex');
}

const UNKNOWN_ID = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** The provider resource URN of a `provider` reference (`<urn>::<id>`, split at the last `::`). */
export function providerUrn(ref: string): string {
  const i = ref.lastIndexOf('::');
  return i < 0 ? ref : ref.slice(0, i);
}

export function providerId(ref: string): string {
  const i = ref.lastIndexOf('::');
  const id = i < 0 ? '' : ref.slice(i + 2);
  return id === '' ? UNKNOWN_ID : id;
}

export interface Reference {
  field: 'provider' | 'parent' | 'dependencies' | 'propertyDependencies' | 'deletedWith';
  urn: string;
}

export function referencesOf(r: ResourceState): Reference[] {
  const refs: Reference[] = [];
  if (r.provider && !r.pendingReplacement) refs.push({ field: 'provider', urn: providerUrn(r.provider) });
  if (r.parent) refs.push({ field: 'parent', urn: r.parent });
  for (const d of r.dependencies ?? []) refs.push({ field: 'dependencies', urn: d });
  for (const list of Object.values(r.propertyDependencies ?? {})) for (const d of list) refs.push({ field: 'propertyDependencies', urn: d });
  if (r.deletedWith) refs.push({ field: 'deletedWith', urn: r.deletedWith });
  return refs;
}

export function checkIntegrity(resources: ResourceState[], manifest?: { magic: string; version: string }): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  if (manifest && manifest.magic !== magicOf(manifest.version)) {
    problems.push({ kind: 'magic', message: `manifest.magic does not match manifest.version '${manifest.version}'` });
  }
  const all = new Set(resources.map((r) => r.urn));
  const seen = new Set<string>();
  const live = new Map<string, number>();
  for (const r of resources) {
    if (!r.custom && r.id) problems.push({ kind: 'component-id', urn: r.urn, message: `component resource ${r.urn} has an id` });
    for (const ref of referencesOf(r)) {
      if (seen.has(ref.urn)) continue;
      if (all.has(ref.urn)) {
        problems.push({ kind: 'order', urn: r.urn, message: `${r.urn} refers (${ref.field}) to ${ref.urn}, which comes after it` });
      } else {
        problems.push({ kind: 'dangling', urn: r.urn, message: `${r.urn} refers (${ref.field}) to ${ref.urn}, which is not in the stack` });
      }
    }
    seen.add(r.urn);
    if (!r.delete) live.set(r.urn, (live.get(r.urn) ?? 0) + 1);
  }
  for (const [urn, n] of live) {
    if (n > 1) problems.push({ kind: 'duplicate', urn, message: `${urn} appears ${n} times without "delete": true` });
  }
  return problems;
}

/**
 * Orders resources so that every reference points to an earlier resource, keeping the
 * given order wherever it already satisfies that (an ordered array comes back unchanged).
 * References to URNs not in the list are ignored (they are `dangling` problems).
 */
export function sortForIntegrity<R extends ResourceState>(resources: R[]): { resources: R[]; cycle: boolean } {
  const first = new Map<string, number>();
  resources.forEach((r, i) => {
    if (!first.has(r.urn)) first.set(r.urn, i);
  });
  const state = new Uint8Array(resources.length); // 0 new, 1 in progress, 2 done
  const out: R[] = [];
  let cycle = false;
  let ordered = true;
  for (let i = 0; i < resources.length && ordered; i++) {
    for (const ref of referencesOf(resources[i]!)) {
      const j = first.get(ref.urn);
      if (j !== undefined && j >= i) ordered = false;
    }
  }
  if (ordered) return { resources, cycle: false };
  for (let start = 0; start < resources.length; start++) {
    if (state[start] === 2) continue;
    // Iterative depth-first post-order: a resource is emitted after what it refers to.
    const stack: { i: number; refs: number[]; next: number }[] = [];
    const push = (i: number) => {
      state[i] = 1;
      const refs = referencesOf(resources[i]!)
        .map((ref) => first.get(ref.urn))
        .filter((j): j is number => j !== undefined && j !== i);
      stack.push({ i, refs, next: 0 });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.refs.length) {
        const j = top.refs[top.next++]!;
        if (state[j] === 0) push(j);
        else if (state[j] === 1) cycle = true;
      } else {
        state[top.i] = 2;
        out.push(resources[top.i]!);
        stack.pop();
      }
    }
  }
  return { resources: out, cycle };
}
