// What `operator manifests` prints: everything the operator needs in a cluster, least
// privilege first. Cluster-wide by default (a ClusterRole for Stacks, the Secrets and
// ConfigMaps they reference, and Events); with watch namespaces, one Role per namespace
// instead and no cluster-wide read of Secrets. The Lease for leader election is the only
// thing written in the operator's own namespace, and only under its own name.
import { GROUP, PLURAL, stackCrd } from './crd.ts';

export interface InstallOptions {
  /** The container image that runs `sloth-kubernetes operator run`. */
  image: string;
  /** Where the operator runs (and its Lease lives). */
  namespace?: string;
  /** Only these namespaces' Stacks (Roles there, no ClusterRole); default: every namespace. */
  watchNamespaces?: readonly string[];
  /** Replicas of the Deployment; one leads at a time. */
  replicas?: number;
  /** A PersistentVolumeClaim mounted at /var/lib/sloth-kubernetes, for file:// backends. */
  stateClaim?: string;
}

export const DEFAULT_NAMESPACE = 'sloth-kubernetes-system';
export const NAME = 'sloth-kubernetes-operator';
export const LEASE_NAME = NAME;
export const STATE_DIR = '/var/lib/sloth-kubernetes';

type Obj = Record<string, unknown>;

/** The permissions the controller needs on the Stacks, the objects they reference, and Events. */
export function stackRules(): Obj[] {
  return [
    // Watch Stacks; patch adds and removes the finalizer.
    { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['get', 'patch'] },
    // Referenced credentials and configs: read when an update runs, watched (metadata only) for changes.
    { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ];
}

/** Leader election: create the Lease, then read and renew only that one. */
export function leaseRules(): Obj[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [LEASE_NAME] },
  ];
}

export function installManifests(options: InstallOptions): Obj[] {
  const ns = options.namespace ?? DEFAULT_NAMESPACE;
  const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'sloth-kubernetes' };
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels });
  const subject = [{ kind: 'ServiceAccount', name: NAME, namespace: ns }];
  const watched = options.watchNamespaces ?? [];
  const access: Obj[] = watched.length === 0
    ? [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(NAME), rules: stackRules() },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(NAME), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME }, subjects: subject },
      ]
    : watched.flatMap((w) => [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(NAME, w), rules: stackRules() },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(NAME, w), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME }, subjects: subject },
      ]);
  const args = ['operator', 'run', '--lease-namespace', ns, ...watched.flatMap((w) => ['--namespace', w])];
  const volumes: Obj[] = [{ name: 'work', emptyDir: {} }];
  const mounts: Obj[] = [{ name: 'work', mountPath: '/tmp' }];
  if (options.stateClaim) {
    volumes.push({ name: 'state', persistentVolumeClaim: { claimName: options.stateClaim } });
    mounts.push({ name: 'state', mountPath: STATE_DIR });
  }
  const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
  return [
    stackCrd(),
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns) },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAME, ns) },
    ...access,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(`${NAME}-leader-election`, ns), rules: leaseRules() },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(`${NAME}-leader-election`, ns),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-leader-election` },
      subjects: subject,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(NAME, ns),
      spec: {
        replicas: options.replicas ?? 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            // A replica that stops gets this long to stop its update and release the stack lock.
            terminationGracePeriodSeconds: 120,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'operator',
                image: options.image,
                args,
                env: [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace'), { name: 'HOME', value: '/tmp' }],
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  ];
}

