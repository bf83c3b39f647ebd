// nodes cordon|uncordon|drain through the CLI, against a real kube-apiserver: a cluster
// deployed on the simulated cloud, whose recorded kubeconfig is then the API server's; the
// Node objects and pods are registered as kubelets and the scheduler would, and the
// PodDisruptionBudget's status is set as the disruption controller would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../../../test/helpers/kube.ts';
import { ClusterObjects } from '../../../test/helpers/kube-objects.ts';
import { pointStackAt } from '../../../test/helpers/deployed-stack.ts';
import { freePort } from '../../../test/helpers/moto.ts';
import { HistoryEnv, PASSPHRASE } from '../history/testing.ts';

const skip = kubeApiMissing();
const config = `
(cluster
  (metadata (name "ops") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token "dop_v1_nodes_test_token_7a1c")))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count 2) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "rke2")))
`;

let api: KubeApi;
let k: ClusterObjects;
let e: HistoryEnv;
let unregister = () => {};
let stopKubelet = () => {};
before(async () => {
  if (skip) return;
  unregister = registerSimulatedClouds();
  api = await startKubeApi();
  k = new ClusterObjects(api);
  // workers-2 never joined: the stack has it, the API does not.
  for (const n of ['masters-1', 'workers-1']) await k.node(n);
  stopKubelet = k.kubelet(['masters-1', 'workers-1']);
  e = new HistoryEnv(undefined);
  writeFileSync(join(e.dir, 'cluster.lisp'), config);
  assert.equal((await e.run(['stacks', 'create', 'ops'])).code, 0);
  const d = await e.run(['deploy', 'ops', '--config', 'cluster.lisp', '--yes']);
  assert.equal(d.code, 0, d.stderr + d.stdout.slice(-2000));
  await pointStackAt(e, 'ops', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default') });
});
after(async () => {
  stopKubelet();
  unregister();
  e?.cleanup();
  await api?.stop();
});

const unschedulable = async (node: string) => Boolean((await k.core.readNode({ name: node })).spec?.unschedulable);
const podsOn = async (node: string) => (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`).sort();

test('cordon and uncordon: the API changes, a second cordon says so, each on record', { skip, timeout: 120_000 }, async () => {
  let r = await e.run(['nodes', 'cordon', 'ops', 'workers-1']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'workers-1 cordoned\n']);
  assert.equal(await unschedulable('workers-1'), true);
  r = await e.run(['nodes', 'cordon', 'ops', 'workers-1', '--json']);
  assert.deepEqual([r.code, JSON.parse(r.stdout), r.stderr], [0, { stack: 'ops', node: 'workers-1', unschedulable: true, changed: false }, 'workers-1 was already cordoned\n']);
  r = await e.run(['nodes', 'uncordon', 'ops', 'workers-1']);
  assert.deepEqual([r.code, r.stderr], [0, 'workers-1 uncordoned\n']);
  assert.equal(await unschedulable('workers-1'), false);
  const events = (await e.records('ops')).events.filter((x) => x.resourceType === 'node');
  assert.deepEqual(events.map((x) => [x.type, x.action, x.metadata.command, x.resourceId, x.success, x.description]), [
    ['deployment', 'update', 'nodes cordon', 'workers-1', true, "cordon node workers-1 of stack 'ops'"],
    ['deployment', 'update', 'nodes cordon', 'workers-1', true, "cordon node workers-1 of stack 'ops'"],
    ['deployment', 'update', 'nodes uncordon', 'workers-1', true, "uncordon node workers-1 of stack 'ops'"],
  ]);
});

test('drain: refused without --force (nothing changed); with it, evicts through a budget once it allows; DaemonSet pods stay', { skip, timeout: 120_000 }, async () => {
  await k.namespace('shop');
  const web = await k.owner('ReplicaSet', 'shop', 'web-1', { app: 'web' });
  const agent = await k.owner('DaemonSet', 'kube-system', 'canal', { 'k8s-app': 'canal' });
  await k.pod('shop', 'web-a', 'workers-1', { labels: { app: 'web' }, owner: web });
  await k.pod('shop', 'web-b', 'masters-1', { labels: { app: 'web' }, owner: web });
  await k.pod('shop', 'tool', 'workers-1');
  await k.pod('kube-system', 'canal-w1', 'workers-1', { labels: { 'k8s-app': 'canal' }, owner: agent });
  await k.pdb('shop', 'web', { app: 'web' }, 0, 2);

  let r = await e.run(['nodes', 'drain', 'ops', 'workers-1']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: cannot drain workers-1: 1 pod may not be evicted without a flag:\n  shop/tool: not managed by a controller: nothing would recreate it (--force evicts it)\nNothing was changed.\n');
  assert.equal(await unschedulable('workers-1'), false);

  // The budget allows one disruption a moment later, as the disruption controller would once a replacement is healthy.
  const allow = setTimeout(() => void k.pdbAllows('shop', 'web', 1, 2), 1500);
  r = await e.run(['nodes', 'drain', 'ops', 'workers-1', '--force', '--grace-period', '5']);
  clearTimeout(allow);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'workers-1 drained: 2 pods evicted, 1 left in place; it stays cordoned (sloth-kubernetes nodes uncordon ops workers-1).\n');
  const lines = r.stderr.split('\n');
  assert.equal(lines[0], 'workers-1 cordoned');
  assert.equal(lines[1], '2 pods to evict from workers-1; left in place: kube-system/canal-w1 (DaemonSet canal)');
  assert.ok(lines.some((l) => /^shop\/web-a: Cannot evict pod as it would violate the pod's disruption budget\..* — trying again$/.test(l)), r.stderr);
  for (const l of ['shop/web-a evicted', 'shop/web-a gone', 'shop/tool evicted', 'shop/tool gone']) assert.ok(lines.includes(l), `${l}\n${r.stderr}`);
  assert.deepEqual(await podsOn('workers-1'), ['kube-system/canal-w1']);
  assert.deepEqual(await podsOn('masters-1'), ['shop/web-b']);
  assert.equal(await unschedulable('workers-1'), true);
});

test('drain: a budget that never allows ends at --timeout (exit 1, the node stays cordoned); --json', { skip, timeout: 120_000 }, async () => {
  await k.namespace('db');
  const rs = await k.owner('ReplicaSet', 'db', 'pg', { app: 'pg' });
  await k.pod('db', 'pg-0', 'masters-1', { labels: { app: 'pg' }, owner: rs });
  await k.pdb('db', 'pg', { app: 'pg' }, 0, 1);
  let r = await e.run(['nodes', 'drain', 'ops', 'masters-1', '--timeout', '2s']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /error: drain of masters-1 did not finish within 2s; still on the node:\n {2}db\/pg-0: eviction refused: Cannot evict pod as it would violate the pod's disruption budget/);
  assert.match(r.stderr, /masters-1 stays cordoned\. Run the drain again with a longer --timeout, or see what holds the pods: sloth-kubernetes kubectl ops get pdb -A\n$/);
  assert.equal(await unschedulable('masters-1'), true);
  await k.pdbAllows('db', 'pg', 1, 1);
  await k.pdbAllows('shop', 'web', 1, 2);
  r = await e.run(['nodes', 'drain', 'ops', 'masters-1', '--json', '--timeout', '60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { stack: 'ops', node: 'masters-1', evicted: [{ namespace: 'db', name: 'pg-0' }, { namespace: 'shop', name: 'web-b' }], skipped: [] });
});

test('bad input: an unknown node, one the API does not know, a bad duration, an unreachable API — one clear line each', { skip, timeout: 120_000 }, async () => {
  let r = await e.run(['nodes', 'cordon', 'ops', 'worker-1']);
  assert.deepEqual([r.code, r.stderr], [1, "error: stack 'ops' has no node 'worker-1'; did you mean 'workers-1'?\nNodes: masters-1, workers-1, workers-2\n"]);
  r = await e.run(['nodes', 'drain', 'ops', 'workers-2']);
  assert.deepEqual([r.code, r.stderr], [1, "error: node workers-2 is not registered with the cluster's API (its kubelet never joined, or the Node object was deleted)\nSee the nodes the cluster knows: sloth-kubernetes kubectl ops get nodes\n"]);
  r = await e.run(['nodes', 'drain', 'ops', 'workers-1', '--timeout', 'soon']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /option '--timeout <duration>' argument 'soon' is invalid\. must be a duration such as 90s, 5m or 1h30m/);

  const port = await freePort();
  await pointStackAt(e, 'ops', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default').replace(api.server, `https://127.0.0.1:${port}`) });
  try {
    r = await e.run(['nodes', 'uncordon', 'ops', 'workers-1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: cannot reach the Kubernetes API at https://127.0.0.1:${port} (ECONNREFUSED)\nCheck that the cluster's API is up (sloth-kubernetes health ops) and that this machine's address may reach it (the firewall lets in the operator address of the last deploy; deploying from here updates it).\n`);
  } finally {
    await pointStackAt(e, 'ops', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default') });
  }
  const failed = (await e.records('ops')).events.filter((x) => x.resourceType === 'node' && !x.success);
  assert.ok(failed.length >= 3);
});
