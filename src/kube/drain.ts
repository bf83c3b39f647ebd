// Cordon, uncordon and drain a node over the Kubernetes API, the way `kubectl drain` does:
// cordon (spec.unschedulable), then ask the Eviction API to evict every pod on the node, so
// PodDisruptionBudgets are honoured — an eviction a budget refuses (429) is tried again until
// the timeout — and wait until the evicted pods are gone. DaemonSet pods are left (their
// controller would put them back at once), and so are mirror pods (the kubelet's static
// pods). Pods that nothing would recreate (no controller) and pods whose emptyDir data would
// be lost are refused unless the caller allows them (force, deleteEmptyDirData); the refusal
// comes before anything is changed.
import type { V1Pod } from '@kubernetes/client-node';
import { KubeApiError, type KubeClient } from './client.ts';

export interface PodRef {
  namespace: string;
  name: string;
}

export type DrainEvent =
  | { type: 'cordoned'; node: string; already: boolean }
  | { type: 'uncordoned'; node: string; already: boolean }
  /** What the drain will evict and what it leaves. */
  | { type: 'pods'; node: string; evict: PodRef[]; skipped: (PodRef & { why: string })[] }
  | { type: 'evicting'; pod: PodRef }
  /** A disruption budget refused the eviction; it is tried again. */
  | { type: 'blocked'; pod: PodRef; message: string }
  | { type: 'evicted'; pod: PodRef }
  /** The pod is gone from the node (deleted, or replaced by one elsewhere). */
  | { type: 'gone'; pod: PodRef };

export interface DrainOptions {
  /** Evict pods no controller manages (they are not recreated anywhere). */
  force?: boolean;
  /** Evict pods with emptyDir volumes (their data is lost). */
  deleteEmptyDirData?: boolean;
  /** Passed to each eviction; default: each pod's own terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  /** The whole drain. */
  timeoutMs: number;
  /** Between attempts of a refused eviction and between checks for pods gone (default 5 s). */
  retryIntervalMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: DrainEvent) => void;
}

export interface DrainResult {
  node: string;
  evicted: PodRef[];
  skipped: (PodRef & { why: string })[];
}

/** Why the drain stopped: pods it may not evict, or the timeout. */
export class DrainError extends Error {
  readonly kind: 'refused' | 'timeout';
  readonly pods: (PodRef & { why: string })[];
  /** Whether the node was cordoned by the time the drain stopped. */
  readonly cordoned: boolean;
  constructor(kind: 'refused' | 'timeout', message: string, pods: (PodRef & { why: string })[], cordoned: boolean) {
    super(message);
    this.name = 'DrainError';
    this.kind = kind;
    this.pods = pods;
    this.cordoned = cordoned;
  }
}

const ref = (p: V1Pod): PodRef => ({ namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '?' });
export const podName = (p: PodRef) => `${p.namespace}/${p.name}`;

/** Sets spec.unschedulable; returns whether it already had that value. */
async function setUnschedulable(client: KubeClient, node: string, value: boolean): Promise<boolean> {
  const current = await client.call(`read node ${node}`, () => client.core.readNode({ name: node }));
  if (Boolean(current.spec?.unschedulable) === value) return true;
  // JSON patch `add` sets the field whether or not it is there yet.
  await client.call(`${value ? 'cordon' : 'uncordon'} node ${node}`, () => client.core.patchNode({ name: node, body: [{ op: 'add', path: '/spec/unschedulable', value }] }));
  return false;
}

export async function cordonNode(client: KubeClient, node: string, onEvent?: (e: DrainEvent) => void): Promise<{ already: boolean }> {
  const already = await setUnschedulable(client, node, true);
  onEvent?.({ type: 'cordoned', node, already });
  return { already };
}

export async function uncordonNode(client: KubeClient, node: string, onEvent?: (e: DrainEvent) => void): Promise<{ already: boolean }> {
  const already = await setUnschedulable(client, node, false);
  onEvent?.({ type: 'uncordoned', node, already });
  return { already };
}

interface Sorted {
  evict: V1Pod[];
  skipped: (PodRef & { why: string })[];
  refused: (PodRef & { why: string })[];
}

/** Which pods of the node a drain evicts, leaves, or may not touch without a flag. */
export function sortPods(pods: readonly V1Pod[], opts: Pick<DrainOptions, 'force' | 'deleteEmptyDirData'>): Sorted {
  const out: Sorted = { evict: [], skipped: [], refused: [] };
  for (const pod of pods) {
    const controller = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) {
      out.skipped.push({ ...ref(pod), why: 'mirror pod (a static pod of the kubelet)' });
      continue;
    }
    if (controller?.kind === 'DaemonSet') {
      out.skipped.push({ ...ref(pod), why: `DaemonSet ${controller.name}` });
      continue;
    }
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (!controller && !finished && !opts.force) {
      out.refused.push({ ...ref(pod), why: 'not managed by a controller: nothing would recreate it (--force evicts it)' });
      continue;
    }
    if (!finished && !opts.deleteEmptyDirData && pod.spec?.volumes?.some((v) => v.emptyDir)) {
      out.refused.push({ ...ref(pod), why: 'has emptyDir data, lost when it is evicted (--delete-emptydir-data evicts it)' });
      continue;
    }
    out.evict.push(pod);
  }
  return out;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

async function podsOn(client: KubeClient, node: string): Promise<V1Pod[]> {
  const list = await client.call(`list the pods on ${node}`, () => client.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }));
  return list.items;
}

/** Cordons the node, evicts its pods (honouring disruption budgets) and waits until they are gone. */
export async function drainNode(client: KubeClient, node: string, opts: DrainOptions): Promise<DrainResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.retryIntervalMs ?? 5000;
  const emit = (e: DrainEvent) => opts.onEvent?.(e);
  const refuse = (pods: Sorted['refused'], cordoned: boolean) =>
    new DrainError('refused', `cannot drain ${node}: ${pods.length} pod${pods.length === 1 ? '' : 's'} may not be evicted without a flag:\n${pods.map((p) => `  ${podName(p)}: ${p.why}`).join('\n')}`, pods, cordoned);

  // Refused before anything changes; checked again once cordoned (a pod may have arrived meanwhile).
  await client.call(`read node ${node}`, () => client.core.readNode({ name: node }));
  const first = sortPods(await podsOn(client, node), opts);
  if (first.refused.length > 0) throw refuse(first.refused, false);
  await cordonNode(client, node, emit);
  const sorted = sortPods(await podsOn(client, node), opts);
  if (sorted.refused.length > 0) throw refuse(sorted.refused, true);
  emit({ type: 'pods', node, evict: sorted.evict.map(ref), skipped: sorted.skipped });

  const blocked = new Map<string, string>();
  const evictOne = async (pod: V1Pod): Promise<void> => {
    const p = ref(pod);
    emit({ type: 'evicting', pod: p });
    for (;;) {
      try {
        await client.call(`evict ${podName(p)}`, () =>
          client.core.createNamespacedPodEviction({
            name: p.name,
            namespace: p.namespace,
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.name, namespace: p.namespace }, ...(opts.gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds: opts.gracePeriodSeconds } } : {}) },
          }),
        );
        blocked.delete(podName(p));
        emit({ type: 'evicted', pod: p });
        return;
      } catch (err) {
        if (err instanceof KubeApiError && err.kind === 'not-found') {
          blocked.delete(podName(p));
          return;
        }
        if (!(err instanceof KubeApiError && err.kind === 'too-many-requests')) throw err;
        if (blocked.get(podName(p)) !== err.message) emit({ type: 'blocked', pod: p, message: err.message.replace(/^evict [^:]+: /, '') });
        blocked.set(podName(p), err.message.replace(/^evict [^:]+: /, ''));
        // Tried once more at the deadline.
        const left = deadline - Date.now();
        if (left <= 0) return;
        await sleep(Math.min(interval, left), opts.signal);
      }
    }
  };
  await Promise.all(sorted.evict.map(evictOne));

  // Gone: deleted, or the name now belongs to another pod (a StatefulSet's replacement).
  let waiting = sorted.evict.filter((p) => !blocked.has(podName(ref(p))));
  for (;;) {
    const still: V1Pod[] = [];
    for (const pod of waiting) {
      const p = ref(pod);
      try {
        const now = await client.call(`read pod ${podName(p)}`, () => client.core.readNamespacedPod({ name: p.name, namespace: p.namespace }));
        if (now.metadata?.uid === pod.metadata?.uid) still.push(pod);
        else emit({ type: 'gone', pod: p });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.kind === 'not-found')) throw err;
        emit({ type: 'gone', pod: p });
      }
    }
    waiting = still;
    if (waiting.length === 0 || Date.now() >= deadline) break;
    await sleep(Math.max(1, Math.min(interval, 1000, deadline - Date.now())), opts.signal);
  }
  const left = [...[...blocked].map(([name, why]) => ({ namespace: name.split('/')[0]!, name: name.split('/')[1]!, why: `eviction refused: ${why}` })), ...waiting.map((p) => ({ ...ref(p), why: 'evicted, still terminating' }))].sort((a, b) => podName(a).localeCompare(podName(b)));
  if (left.length > 0) {
    throw new DrainError('timeout', `drain of ${node} did not finish within ${Math.round(opts.timeoutMs / 1000)}s; still on the node:\n${left.map((p) => `  ${podName(p)}: ${p.why}`).join('\n')}`, left, true);
  }
  return { node, evicted: sorted.evict.map(ref), skipped: sorted.skipped };
}
