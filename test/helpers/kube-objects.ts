// What the kubelets, the scheduler and the controllers of a cluster would put into the real
// kube-apiserver of kube.ts, which runs none of them: Node objects with their status (Ready,
// kubelet version, pressure conditions), pods bound to a node and running, the controllers
// that own them (a ReplicaSet, a DaemonSet — objects only, no controller acts on them), a
// PodDisruptionBudget's status as the disruption controller would compute it, and a kubelet
// that finishes the graceful deletion of pods on its nodes (the API server waits for one).
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api } from '@kubernetes/client-node';
import type { V1NodeCondition, V1OwnerReference, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { KubeApi } from './kube.ts';

export class ClusterObjects {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;

  constructor(api: KubeApi) {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfigYaml());
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.policy = kc.makeApiClient(PolicyV1Api);
  }

  /** A Node as its kubelet registers it, then its status. */
  async node(name: string, opts: { ready?: boolean; kubeletVersion?: string; conditions?: Partial<Record<'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable', boolean>>; labels?: Record<string, string> } = {}): Promise<void> {
    const made = await this.core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } } } });
    const now = new Date();
    const condition = (type: string, status: boolean, reason: string): V1NodeCondition => ({ type, status: status ? 'True' : 'False', reason, message: reason, lastHeartbeatTime: now, lastTransitionTime: now });
    const pressure = opts.conditions ?? {};
    await this.core.replaceNodeStatus({
      name,
      body: {
        ...made,
        status: {
          conditions: [
            condition('Ready', opts.ready !== false, opts.ready !== false ? 'KubeletReady' : 'KubeletNotReady'),
            ...(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'] as const).map((t) => condition(t, pressure[t] === true, pressure[t] ? `Kubelet${t}` : `KubeletHasNo${t}`)),
          ],
          nodeInfo: {
            kubeletVersion: opts.kubeletVersion ?? 'v1.29.0+rke2r1',
            kubeProxyVersion: '',
            architecture: 'amd64',
            bootID: name,
            containerRuntimeVersion: 'containerd://1.7.11',
            kernelVersion: '6.1.0',
            machineID: name,
            operatingSystem: 'linux',
            osImage: 'Ubuntu 22.04',
            systemUUID: name,
          },
        },
      },
    });
  }

  async namespace(name: string): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name } } });
  }

  /** A controller object (nothing acts on it): the owner reference its pods carry. */
  async owner(kind: 'ReplicaSet' | 'DaemonSet', namespace: string, name: string, labels: Record<string, string>): Promise<V1OwnerReference> {
    const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } };
    const made =
      kind === 'ReplicaSet'
        ? await this.apps.createNamespacedReplicaSet({ namespace, body: { metadata: { name }, spec: { replicas: 0, selector: { matchLabels: labels }, template } } })
        : await this.apps.createNamespacedDaemonSet({ namespace, body: { metadata: { name }, spec: { selector: { matchLabels: labels }, template } } });
    return { apiVersion: 'apps/v1', kind, name, uid: made.metadata!.uid!, controller: true, blockOwnerDeletion: true };
  }

  /** A pod bound to `node` (as the scheduler would), then Running and Ready (as its kubelet would). */
  async pod(namespace: string, name: string, node: string, opts: { labels?: Record<string, string>; owner?: V1OwnerReference; volumes?: V1Volume[]; annotations?: Record<string, string>; ready?: boolean; grace?: number } = {}): Promise<V1Pod> {
    const made = await this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: opts.labels, annotations: opts.annotations, ownerReferences: opts.owner ? [opts.owner] : undefined },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], volumes: opts.volumes, terminationGracePeriodSeconds: opts.grace ?? 30 },
      },
    });
    const now = new Date();
    const ready = opts.ready !== false ? 'True' : 'False';
    await this.core.replaceNamespacedPodStatus({
      namespace,
      name,
      body: {
        ...made,
        status: {
          phase: 'Running',
          startTime: now,
          conditions: [
            { type: 'Ready', status: ready, lastTransitionTime: now },
            { type: 'ContainersReady', status: ready, lastTransitionTime: now },
          ],
          containerStatuses: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', imageID: '', ready: ready === 'True', restartCount: 0, started: true, state: { running: { startedAt: now } } }],
        },
      },
    });
    return made;
  }

  /** A PodDisruptionBudget and the status the disruption controller would give it. */
  async pdb(namespace: string, name: string, labels: Record<string, string>, disruptionsAllowed: number, healthy: number): Promise<void> {
    await this.policy.createNamespacedPodDisruptionBudget({ namespace, body: { metadata: { name }, spec: { minAvailable: healthy - disruptionsAllowed, selector: { matchLabels: labels } } } });
    await this.pdbAllows(namespace, name, disruptionsAllowed, healthy);
  }

  async pdbAllows(namespace: string, name: string, disruptionsAllowed: number, healthy: number): Promise<void> {
    const pdb = await this.policy.readNamespacedPodDisruptionBudget({ namespace, name });
    await this.policy.replaceNamespacedPodDisruptionBudgetStatus({
      namespace,
      name,
      body: { ...pdb, status: { observedGeneration: pdb.metadata!.generation, disruptionsAllowed, currentHealthy: healthy, desiredHealthy: healthy - disruptionsAllowed, expectedPods: healthy, disruptedPods: {} } },
    });
  }

  /**
   * The kubelets of `nodes`: a pod there whose deletion has begun is removed (what a kubelet
   * does once its containers stopped). Returns the stop function.
   */
  kubelet(nodes: readonly string[], everyMs = 100): () => void {
    let running = true;
    const loop = async () => {
      while (running) {
        for (const node of nodes) {
          const pods = await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` }).catch(() => ({ items: [] as V1Pod[] }));
          for (const p of pods.items.filter((x) => x.metadata?.deletionTimestamp)) {
            await this.core.deleteNamespacedPod({ namespace: p.metadata!.namespace!, name: p.metadata!.name!, gracePeriodSeconds: 0 }).catch(() => undefined);
          }
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    };
    void loop();
    return () => {
      running = false;
    };
  }
}
