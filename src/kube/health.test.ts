// The API-side health rows against the real kube-apiserver: nodes registered (or not) with the
// conditions their kubelets would report, system pods in the states theirs would, certificates
// judged at a chosen moment, and a credential the API refuses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../../test/helpers/kube.ts';
import { ClusterObjects } from '../../test/helpers/kube-objects.ts';
import { kubeClient } from './client.ts';
import { apiHealth, type CheckRow } from './health.ts';

const skip = kubeApiMissing();
let api: KubeApi;
let k: ClusterObjects;
before(async () => {
  if (skip) return;
  api = await startKubeApi();
  k = new ClusterObjects(api);
  await k.node('m1', { labels: { 'node-role.kubernetes.io/etcd': 'true' } });
  await k.node('m2', { ready: false, labels: { 'node-role.kubernetes.io/etcd': 'true' } });
  await k.node('w1', { conditions: { DiskPressure: true }, kubeletVersion: 'v1.30.1+k3s1' });
  await k.node('stray');
  const dns = await k.owner('ReplicaSet', 'kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' });
  await k.pod('kube-system', 'coredns-a', 'm1', { labels: { 'k8s-app': 'kube-dns' }, owner: dns });
  await k.pod('kube-system', 'coredns-b', 'w1', { labels: { 'k8s-app': 'kube-dns' }, owner: dns, ready: false });
});
after(async () => {
  await api?.stop();
});

const row = (rows: CheckRow[], check: string, subject: string) => rows.find((r) => r.check === check && r.subject === subject);
const expected = { nodes: [{ name: 'm1', roles: ['master', 'etcd'] }, { name: 'm2', roles: ['master', 'etcd'] }, { name: 'w1', roles: ['worker'] }, { name: 'w2', roles: ['worker'] }] };

test('nodes, pressure, system pods and embedded etcd members as the API reports them', { skip, timeout: 60_000 }, async () => {
  const { rows, unreachable } = await apiHealth(kubeClient(api.kubeconfigYaml(), { timeoutMs: 5000 }), api.kubeconfigYaml(), { distribution: 'k3s', cni: 'flannel', ...expected });
  assert.equal(unreachable, false);
  assert.deepEqual(row(rows, 'api', api.server)?.status, 'ok');
  assert.deepEqual(row(rows, 'node', 'm1'), { check: 'node', subject: 'm1', status: 'ok', detail: 'Ready, kubelet v1.29.0+rke2r1' });
  assert.deepEqual(row(rows, 'node', 'm2'), { check: 'node', subject: 'm2', status: 'degraded', detail: 'NotReady (KubeletNotReady), kubelet v1.29.0+rke2r1' });
  assert.deepEqual(row(rows, 'node', 'w1'), { check: 'node', subject: 'w1', status: 'degraded', detail: 'Ready, kubelet v1.30.1+k3s1, DiskPressure' });
  assert.deepEqual(row(rows, 'node', 'w2'), { check: 'node', subject: 'w2', status: 'degraded', detail: 'not registered with the API (its kubelet never joined, or the Node was deleted)' });
  assert.deepEqual(row(rows, 'node', 'stray'), { check: 'node', subject: 'stray', status: 'ok', detail: 'Ready, kubelet v1.29.0+rke2r1, not in the stack' });
  assert.deepEqual(row(rows, 'system-pods', 'DNS (CoreDNS)'), { check: 'system-pods', subject: 'DNS (CoreDNS)', status: 'degraded', detail: '1/2 ready; not ready: coredns-b (w1, Running)' });
  assert.equal(row(rows, 'system-pods', 'CNI (flannel)')?.status, 'ok');
  assert.deepEqual(row(rows, 'etcd', 'm1'), { check: 'etcd', subject: 'm1', status: 'ok', detail: 'embedded member, node Ready' });
  assert.deepEqual(row(rows, 'etcd', 'm2'), { check: 'etcd', subject: 'm2', status: 'degraded', detail: 'embedded member, node NotReady' });

  // RKE2 with Calico: its node agents are missing, and so are the etcd pods.
  const rke2 = await apiHealth(kubeClient(api.kubeconfigYaml(), { timeoutMs: 5000 }), api.kubeconfigYaml(), { distribution: 'rke2', cni: 'calico', ...expected });
  assert.deepEqual(row(rke2.rows, 'system-pods', 'CNI (calico-node)'), { check: 'system-pods', subject: 'CNI (calico-node)', status: 'degraded', detail: 'no calico-node pods (k8s-app=calico-node) in calico-system' });
  assert.deepEqual(row(rke2.rows, 'etcd', 'm1'), { check: 'etcd', subject: 'm1', status: 'degraded', detail: 'no etcd pod on m1' });
});

test('certificates: fine a year out, a warning within 30 days, expired after', { skip, timeout: 60_000 }, async () => {
  const check = async (daysAhead: number) => {
    const now = new Date(Date.now() + daysAhead * 86_400_000);
    const { rows } = await apiHealth(kubeClient(api.kubeconfigYaml(), { timeoutMs: 5000 }), api.kubeconfigYaml(), { distribution: 'rke2', cni: 'none', nodes: [] }, now);
    return [row(rows, 'certificate', 'API serving certificate')!, row(rows, 'certificate', 'kubeconfig client certificate')!];
  };
  for (const r of await check(0)) assert.match(`${r.status} ${r.detail}`, /^ok expires \d{4}-\d\d-\d\d \(in 36[45] days\)$/);
  for (const r of await check(350)) assert.match(`${r.status} ${r.detail}`, /^degraded expires \d{4}-\d\d-\d\d \(in 1[45] days\)$/);
  for (const r of await check(400)) assert.match(`${r.status} ${r.detail}`, /^degraded expired on \d{4}-\d\d-\d\d$/);
});

test('a credential the API refuses, and an API that does not answer: unreachable, one row', { skip, timeout: 60_000 }, async () => {
  const refused = api.kubeconfigYaml({ token: 'not-a-token' });
  let r = await apiHealth(kubeClient(refused, { timeoutMs: 5000 }), refused, { distribution: 'rke2', cni: 'canal', nodes: [] });
  assert.equal(r.unreachable, true);
  assert.equal(r.rows.length, 1);
  assert.match(r.rows[0]!.detail, /^the API refused the stack's kubeconfig \(HTTP 401\)/);
  const gone = api.kubeconfigYaml().replace(api.server, 'https://127.0.0.1:1');
  r = await apiHealth(kubeClient(gone, { timeoutMs: 5000 }), gone, { distribution: 'rke2', cni: 'canal', nodes: [] });
  assert.deepEqual(r, { unreachable: true, rows: [{ check: 'api', subject: 'https://127.0.0.1:1', status: 'unreachable', detail: 'cannot reach the Kubernetes API at https://127.0.0.1:1 (ECONNREFUSED)' }] });
});
