// What the Kubernetes API says about a cluster's health, as rows of a report: the API's own
// readiness (/readyz?verbose), its serving certificate and the kubeconfig's client
// certificate (expiry), every node the cluster should have (registered, Ready, its kubelet
// version, pressure conditions), the system pods of DNS and of the CNI, and the etcd members.
// Requests go out in parallel; a row never throws: what cannot be read is a row that says so.
import { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { KubeApiError, type KubeClient } from './client.ts';

export type CheckStatus = 'ok' | 'degraded' | 'unreachable';

export interface CheckRow {
  check: 'api' | 'certificate' | 'node' | 'system-pods' | 'etcd' | 'wireguard';
  subject: string;
  status: CheckStatus;
  detail: string;
}

export interface ExpectedCluster {
  distribution: 'rke2' | 'k3s';
  /** rke2: canal | calico | cilium | none; k3s: flannel | none. */
  cni: string;
  nodes: readonly { name: string; roles: readonly string[] }[];
}

/** Certificates that expire sooner than this are a warning. */
export const CERTIFICATE_WARNING_DAYS = 30;
const PRESSURE = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'] as const;
const DAY = 86_400_000;

function certificateRow(subject: string, validTo: Date, now: Date): CheckRow {
  const days = Math.floor((validTo.getTime() - now.getTime()) / DAY);
  const date = validTo.toISOString().slice(0, 10);
  if (days < 0) return { check: 'certificate', subject, status: 'degraded', detail: `expired on ${date}` };
  return { check: 'certificate', subject, status: days < CERTIFICATE_WARNING_DAYS ? 'degraded' : 'ok', detail: `expires ${date} (in ${days} day${days === 1 ? '' : 's'})` };
}

/** The client certificate of the kubeconfig's current user, when it authenticates with one. */
function clientCertificate(kubeconfig: string): Date | undefined {
  const doc = parse(kubeconfig) as { 'current-context'?: string; contexts?: { name: string; context: { user: string } }[]; users?: { name: string; user: Record<string, string> }[] };
  const user = doc.contexts?.find((c) => c.name === doc['current-context'])?.context.user;
  const data = doc.users?.find((u) => u.name === user)?.user['client-certificate-data'];
  if (!data) return undefined;
  return new Date(new X509Certificate(Buffer.from(data, 'base64')).validTo);
}

const condition = (n: V1Node, type: string) => n.status?.conditions?.find((c) => c.type === type);
const podReady = (p: V1Pod) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function nodeRow(name: string, n: V1Node | undefined, expected: boolean): CheckRow {
  if (!n) return { check: 'node', subject: name, status: 'degraded', detail: 'not registered with the API (its kubelet never joined, or the Node was deleted)' };
  const ready = condition(n, 'Ready');
  const version = n.status?.nodeInfo?.kubeletVersion ?? '?';
  const pressure = PRESSURE.filter((t) => condition(n, t)?.status === 'True');
  const notes = [...(n.spec?.unschedulable ? ['cordoned'] : []), ...(expected ? [] : ['not in the stack'])];
  const readyText = ready?.status === 'True' ? 'Ready' : `NotReady${ready?.reason ? ` (${ready.reason}${ready.message && ready.message !== ready.reason ? `: ${ready.message}` : ''})` : ''}`;
  return {
    check: 'node',
    subject: name,
    status: ready?.status === 'True' && pressure.length === 0 ? 'ok' : 'degraded',
    detail: [readyText, `kubelet ${version}`, ...pressure, ...notes].join(', '),
  };
}

/** Pods of a DaemonSet-like system component: ready / total, and which are not. */
function podsRow(subject: string, pods: readonly V1Pod[], want: number | undefined, none: string): CheckRow {
  if (pods.length === 0) return { check: 'system-pods', subject, status: 'degraded', detail: none };
  const notReady = pods.filter((p) => !podReady(p));
  const ready = pods.length - notReady.length;
  const short = want !== undefined && ready < want;
  return {
    check: 'system-pods',
    subject,
    status: notReady.length === 0 && !short ? 'ok' : 'degraded',
    detail: `${ready}/${want !== undefined ? Math.max(want, pods.length) : pods.length} ready${notReady.length > 0 ? `; not ready: ${notReady.map((p) => `${p.metadata?.name} (${p.spec?.nodeName ?? 'unscheduled'}, ${p.status?.phase ?? '?'})`).join(', ')}` : ''}`,
  };
}

/** Where each CNI's node agents run, by distribution. */
function cniPods(d: ExpectedCluster): { namespace: string; selector: string; name: string } | string | undefined {
  if (d.cni === 'none') return undefined;
  if (d.distribution === 'k3s' && d.cni === 'flannel') return 'flannel runs inside k3s itself (no pods); the nodes report NetworkUnavailable when it fails';
  if (d.cni === 'canal') return { namespace: 'kube-system', selector: 'k8s-app=canal', name: 'canal' };
  if (d.cni === 'calico') return { namespace: 'calico-system', selector: 'k8s-app=calico-node', name: 'calico-node' };
  if (d.cni === 'cilium') return { namespace: 'kube-system', selector: 'k8s-app=cilium', name: 'cilium' };
  return undefined;
}

/** Every API-side row of the report; `unreachable` when the API could not be asked at all. */
export async function apiHealth(client: KubeClient, kubeconfig: string, expected: ExpectedCluster, now: Date = new Date()): Promise<{ rows: CheckRow[]; unreachable: boolean }> {
  const rows: CheckRow[] = [];
  let readyz;
  try {
    readyz = await client.get('/readyz?verbose');
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    return { rows: [{ check: 'api', subject: client.server, status: 'unreachable', detail: err.message }], unreachable: true };
  }
  if (readyz.status === 401 || readyz.status === 403) {
    return { rows: [{ check: 'api', subject: client.server, status: 'unreachable', detail: `the API refused the stack's kubeconfig (HTTP ${readyz.status}): ${readyz.body.trim().slice(0, 200)}` }], unreachable: true };
  }
  const failing = readyz.body.split('\n').filter((l) => l.startsWith('[-]')).map((l) => l.slice(3).replace(/ failed:.*/, ''));
  const passed = readyz.body.split('\n').filter((l) => l.startsWith('[+]')).length;
  rows.push(
    readyz.status === 200
      ? { check: 'api', subject: client.server, status: 'ok', detail: `/readyz: ok (${passed} checks passed)` }
      : { check: 'api', subject: client.server, status: 'degraded', detail: `/readyz: HTTP ${readyz.status}${failing.length > 0 ? `; failing: ${failing.join(', ')}` : ''}` },
  );
  if (readyz.certificate) rows.push(certificateRow('API serving certificate', readyz.certificate.validTo, now));
  const client_ = clientCertificate(kubeconfig);
  if (client_) rows.push(certificateRow('kubeconfig client certificate', client_, now));

  const cni = cniPods(expected);
  const listPods = (namespace: string, labelSelector: string) => client.call(`list pods ${labelSelector} in ${namespace}`, () => client.core.listNamespacedPod({ namespace, labelSelector })).then((l) => l.items);
  const [nodes, dns, cniList, etcd] = await Promise.allSettled([
    client.call('list nodes', () => client.core.listNode()).then((l) => l.items),
    listPods('kube-system', 'k8s-app=kube-dns'),
    typeof cni === 'object' ? listPods(cni.namespace, cni.selector) : Promise.resolve([]),
    expected.distribution === 'rke2' ? listPods('kube-system', 'component=etcd') : Promise.resolve([]),
  ]);
  const failed = (r: PromiseRejectedResult, check: CheckRow['check'], subject: string): CheckRow => ({ check, subject, status: 'degraded', detail: `could not be read: ${(r.reason as Error).message}` });

  // Nodes: the stack's, in its order, then any the API has that the stack does not.
  const etcdMembers = expected.nodes.filter((n) => n.roles.includes('etcd'));
  if (nodes.status === 'fulfilled') {
    const byName = new Map(nodes.value.map((n) => [n.metadata?.name ?? '', n]));
    for (const n of expected.nodes) rows.push(nodeRow(n.name, byName.get(n.name), true));
    const known = new Set(expected.nodes.map((n) => n.name));
    for (const n of nodes.value.filter((x) => !known.has(x.metadata?.name ?? ''))) rows.push(nodeRow(n.metadata?.name ?? '?', n, false));
  } else rows.push(failed(nodes, 'node', 'nodes'));

  rows.push(dns.status === 'fulfilled' ? podsRow('DNS (CoreDNS)', dns.value, undefined, 'no DNS pods (k8s-app=kube-dns) in kube-system') : failed(dns, 'system-pods', 'DNS (CoreDNS)'));
  if (typeof cni === 'string') rows.push({ check: 'system-pods', subject: `CNI (${expected.cni})`, status: 'ok', detail: cni });
  else if (cni) {
    rows.push(cniList.status === 'fulfilled' ? podsRow(`CNI (${cni.name})`, cniList.value, expected.nodes.length, `no ${cni.name} pods (${cni.selector}) in ${cni.namespace}`) : failed(cniList, 'system-pods', `CNI (${cni.name})`));
  }

  // etcd: every member the stack placed, and the API server's own view of its etcd.
  const etcdCheck = readyz.body.split('\n').find((l) => /^\[[+-]\]etcd /.test(l));
  for (const m of etcdMembers) {
    if (expected.distribution === 'rke2') {
      if (etcd.status === 'rejected') {
        rows.push(failed(etcd, 'etcd', m.name));
        continue;
      }
      const pod = etcd.value.find((p) => p.spec?.nodeName === m.name);
      rows.push(!pod ? { check: 'etcd', subject: m.name, status: 'degraded', detail: `no etcd pod on ${m.name}` } : { check: 'etcd', subject: m.name, status: podReady(pod) ? 'ok' : 'degraded', detail: `${pod.metadata?.name}: ${podReady(pod) ? 'Running, Ready' : (pod.status?.phase ?? 'unknown')}` });
    } else {
      // K3s embeds etcd in the server process: a member is a Ready server carrying the etcd role label.
      const n = nodes.status === 'fulfilled' ? nodes.value.find((x) => x.metadata?.name === m.name) : undefined;
      const member = n?.metadata?.labels?.['node-role.kubernetes.io/etcd'] === 'true';
      const ready = n ? condition(n, 'Ready')?.status === 'True' : false;
      rows.push({ check: 'etcd', subject: m.name, status: member && ready ? 'ok' : 'degraded', detail: !n ? 'node not registered' : !member ? 'the node does not carry node-role.kubernetes.io/etcd=true' : ready ? 'embedded member, node Ready' : 'embedded member, node NotReady' });
    }
  }
  if (etcdCheck) rows.push({ check: 'etcd', subject: 'API server → etcd', status: etcdCheck.startsWith('[+]') ? 'ok' : 'degraded', detail: etcdCheck.slice(3) });
  return { rows, unreachable: false };
}
