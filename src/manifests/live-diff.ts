// A recorded manifest against what the cluster holds: every object it declares is in sync,
// differs (with the differences), or is missing (absent, or its kind unknown to the cluster).
import { compareObject } from './live-compare.ts';
import type { Difference } from './live-compare.ts';
import { findLive, groupOf, recordedObjects } from './live-objects.ts';
import type { KubeObject, ObjectRef, UnknownKind } from './live-objects.ts';

export interface ObjectDiff extends ObjectRef {
  /** The namespace the live object is in, when the manifest left it to the kubeconfig. */
  liveNamespace?: string;
  state: 'in-sync' | 'differs' | 'missing';
  /** Why a missing object is missing, when it is not simply absent. */
  reason?: string;
  differences: Difference[];
}

export interface LiveDiff {
  inSync: boolean;
  objects: ObjectDiff[];
  counts: { objects: number; inSync: number; differs: number; missing: number };
}

export function diffWithLive(content: string, live: readonly KubeObject[], unknown: readonly UnknownKind[] = []): LiveDiff {
  const objects = recordedObjects(content).map(({ ref, object }): ObjectDiff => {
    const notKnown = unknown.find((u) => u.kind === ref.kind && (u.name === undefined || u.name === ref.name) && groupOf(u.apiVersion) === groupOf(ref.apiVersion));
    if (notKnown) return { ...ref, state: 'missing', reason: `the cluster has no kind ${ref.kind} in ${notKnown.apiVersion} (is its CustomResourceDefinition installed?)`, differences: [] };
    const found = findLive(ref, live);
    if (!found) return { ...ref, state: 'missing', differences: [] };
    const liveNamespace = (found.metadata as { namespace?: unknown } | undefined)?.namespace;
    const differences = compareObject(object, found);
    return {
      ...ref,
      ...(ref.namespace === undefined && typeof liveNamespace === 'string' ? { liveNamespace } : {}),
      state: differences.length === 0 ? 'in-sync' : 'differs',
      differences,
    };
  });
  const count = (s: ObjectDiff['state']) => objects.filter((o) => o.state === s).length;
  const counts = { objects: objects.length, inSync: count('in-sync'), differs: count('differs'), missing: count('missing') };
  return { inSync: counts.inSync === counts.objects, objects, counts };
}
