import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { planCluster } from '../plan.ts';
import { nodesOf, sampleModel } from '../testing/arbitraries.ts';
import type { ClusterModel } from '../model.ts';

const config = (model: ClusterModel, node: string) => parse(planCluster(model).steps.find((s) => s.name === `kubernetes-${node}`)!.files[0]!.content) as Record<string, unknown>;

test('versions pin the install; channels and versions of the other distribution are refused', () => {
  const base = sampleModel();
  for (const version of ['stable', 'latest', 'v1.29.0', 'v1.29.0+k3s1']) {
    assert.throws(
      () => planCluster({ ...base, kubernetes: { ...base.kubernetes, version } }),
      (err: Error & { hint?: string }) => /is not a RKE2 release/.test(err.message) && /v1\.29\.0\+rke2r1/.test(err.hint ?? ''),
      version,
    );
  }
  const script = planCluster(base).steps.find((s) => s.name === 'kubernetes-masters-1')!.script;
  assert.match(script, /INSTALL_RKE2_VERSION='v1\.29\.0\+rke2r1'/);
  assert.doesNotMatch(script, /INSTALL_RKE2_CHANNEL/);
});

test('the cluster token is generated, kept across plans, and never in a script or the user-data', () => {
  const model = sampleModel();
  const plan = planCluster(model);
  assert.match(plan.tokens.server, /^[0-9a-f]{64}$/);
  assert.notEqual(plan.tokens.server, plan.tokens.agent);
  for (const s of plan.steps) assert.ok(!s.script.includes(plan.tokens.server) && !s.script.includes(plan.tokens.agent), s.name);
  for (const m of plan.machines) assert.ok(!m.userData.includes(plan.tokens.server), m.name);
  const again = planCluster(model, { mesh: {}, hostKeys: {}, ownHostKeys: {}, servers: [], tokens: plan.tokens });
  assert.deepEqual(again.tokens, plan.tokens);
  const given = planCluster({ ...model, kubernetes: { ...model.kubernetes, clusterToken: 'user-given-token' } });
  assert.equal(given.tokens.server, 'user-given-token');
});

test('node-ip is the WireGuard address, node-external-ip the public one; never a world-readable kubeconfig', () => {
  const c = config(sampleModel(), 'masters-2');
  assert.equal(c['node-ip'], '10.8.0.2');
  assert.equal(c['node-external-ip'], '{{sloth:addr-public-masters-2}}');
  assert.equal(c['advertise-address'], '10.8.0.2');
  assert.equal(c['write-kubeconfig-mode'], '0600');
  for (const s of planCluster(sampleModel()).steps) assert.doesNotMatch(s.script, /write-kubeconfig-mode[= ]*"?0?644/);
});

test('K3s: cluster-init on the first server only; flannel on the mesh interface; no-CNI turns flannel off', () => {
  const base = sampleModel();
  const k3s: ClusterModel = { ...base, kubernetes: { ...base.kubernetes, distribution: 'k3s', version: 'v1.29.0+k3s1', cni: 'flannel' } };
  assert.equal(config(k3s, 'masters-1')['cluster-init'], true);
  assert.equal(config(k3s, 'masters-2')['cluster-init'], undefined);
  assert.equal(config(k3s, 'masters-2')['server'], 'https://10.8.0.1:6443');
  assert.equal(config(k3s, 'workers-1')['flannel-iface'], 'wg0');
  const none = { ...k3s, kubernetes: { ...k3s.kubernetes, cni: 'none' } };
  assert.equal(config(none, 'masters-1')['flannel-backend'], 'none');
  assert.throws(() => planCluster({ ...k3s, kubernetes: { ...k3s.kubernetes, cni: 'canal' } }), /network-plugin 'canal' is not supported yet with k3s/);
});

test('RKE2 servers join one at a time after the first; agents after their registration server', () => {
  const plan = planCluster(sampleModel());
  const after = (n: string) => plan.steps.find((s) => s.name === `kubernetes-${n}`)!.after;
  assert.deepEqual(after('masters-1'), ['mesh-masters-1']);
  assert.ok(after('masters-3').includes('kubernetes-masters-2'));
  assert.ok(after('workers-1').includes('kubernetes-masters-1') && !after('workers-1').includes('kubernetes-masters-2'));
});

test('a label kubelet may not set on itself is refused with the pool and what to do', () => {
  const model = sampleModel({
    nodes: nodesOf([{ name: 'masters', provider: 'aws', region: 'r', count: 1, roles: ['master', 'etcd'], publicAddress: true }]).map((n) => ({ ...n, labels: { 'node-role.kubernetes.io/worker': 'true' } })),
  });
  assert.throws(() => planCluster(model), (err: Error & { hint?: string }) => /node pool 'masters': label 'node-role\.kubernetes\.io\/worker'/.test(err.message) && /own prefix/.test(err.hint ?? ''));
  const ok = sampleModel({ nodes: model.nodes.map((n) => ({ ...n, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } })) });
  assert.doesNotThrow(() => planCluster(ok));
});

test('a pool with a name that is not a host name, or no master at all, is refused', () => {
  const bad = sampleModel({ nodes: nodesOf([{ name: 'Masters_A', provider: 'aws', region: 'r', count: 1, roles: ['master', 'etcd'], publicAddress: true }]) });
  assert.throws(() => planCluster(bad), /machine name 'Masters_A-1' is not a valid host name/);
  const noMaster = sampleModel({ nodes: nodesOf([{ name: 'w', provider: 'aws', region: 'r', count: 2, roles: ['worker'], publicAddress: true }]) });
  assert.throws(() => planCluster(noMaster), /no node pool has the master role/);
  const noEtcd = sampleModel({ nodes: nodesOf([{ name: 'm', provider: 'aws', region: 'r', count: 1, roles: ['master'], publicAddress: true }]) });
  assert.throws(() => planCluster(noEtcd), (err: Error & { hint?: string }) => /no node pool has the etcd role/.test(err.message) && /\(roles master etcd\)/.test(err.hint ?? ''));
});

test('dedicated servers are tainted CriticalAddonsOnly only when some node takes workloads', () => {
  const withWorkers = config(sampleModel(), 'masters-1');
  assert.deepEqual(withWorkers['node-taint'], ['CriticalAddonsOnly=true:NoExecute']);
  const serversOnly = sampleModel({ nodes: nodesOf([{ name: 'masters', provider: 'aws', region: 'r', count: 3, roles: ['master', 'etcd'], publicAddress: true }]) });
  assert.equal(config(serversOnly, 'masters-1')['node-taint'], undefined);
});
