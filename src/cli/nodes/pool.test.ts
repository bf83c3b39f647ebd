// nodes add|remove through the CLI: a cluster deployed on the simulated cloud (with a user
// manifest, which must survive), its kubeconfig pointed at the real kube-apiserver where the
// nodes are registered as their kubelets would. The pool change goes through the deploy path:
// the stored configuration, the history, the snapshot and the audit log follow; removing drains
// the node and deletes its Node object before the machine goes, and every other member's
// recorded WireGuard config loses the peer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../../../test/helpers/kube.ts';
import { ClusterObjects } from '../../../test/helpers/kube-objects.ts';
import { pointStackAt, recorded } from '../../../test/helpers/deployed-stack.ts';
import { freePort } from '../../../test/helpers/moto.ts';
import { HistoryEnv, PASSPHRASE } from '../history/testing.ts';

const skip = kubeApiMissing();
const fixtures = join(import.meta.dirname, '../../../test/fixtures/manifests/live');
const config = `
(cluster
  (metadata (name "grow") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token "dop_v1_pool_test_token_c4d2")))
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
  for (const n of ['masters-1', 'workers-1', 'workers-2']) await k.node(n);
  stopKubelet = k.kubelet(['workers-3']);
  e = new HistoryEnv(undefined);
  writeFileSync(join(e.dir, 'cluster.lisp'), config);
  copyFileSync(join(fixtures, 'app.yaml'), join(e.dir, 'web-app.yaml'));
  assert.equal((await e.run(['stacks', 'create', 'grow'])).code, 0);
  const d = await e.run(['deploy', 'grow', '--config', 'cluster.lisp', '--manifest', 'web-app.yaml', '--yes']);
  assert.equal(d.code, 0, d.stderr + d.stdout.slice(-2000));
  await pointStackAt(e, 'grow', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default') });
});
after(async () => {
  stopKubelet();
  unregister();
  e?.cleanup();
  await api?.stop();
});

const machines = async () => Object.keys((await recorded(e, 'grow', PASSPHRASE)).machines).sort();

test('nodes add: --dry-run shows the plan and changes nothing; then the pool grows through the deploy path, recorded like a deploy', { skip, timeout: 180_000 }, async () => {
  let r = await e.run(['nodes', 'add', 'grow', '--pool', 'workers', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^Pool 'workers' of stack 'grow': 2 → 3 nodes \(adds workers-3 to it\)\.\n/);
  assert.match(r.stdout, /\+ .*workers-3/);
  assert.match(r.stdout, /~ .*mesh-masters-1/, 'the other members get the new peer');
  assert.deepEqual(await machines(), ['masters-1', 'workers-1', 'workers-2']);

  r = await e.run(['nodes', 'add', 'grow', '--pool', 'workers', '--yes', '-m', 'more room']);
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
  assert.match(r.stderr, /warning: stack 'grow' now holds pool 'workers' with 3 nodes; your configuration file still says 2: change it before the next deploy --config, or take the stack's: sloth-kubernetes export-config grow --output FILE\n/);
  assert.deepEqual(await machines(), ['masters-1', 'workers-1', 'workers-2', 'workers-3']);
  const rec = await recorded(e, 'grow', PASSPHRASE);
  const key = rec.machines['workers-3']!.wireguard.publicKey;
  for (const m of ['masters-1', 'workers-1', 'workers-2']) assert.ok(rec.mesh[m]!.config.includes(key), `${m} has workers-3 as a peer`);

  const h = await e.records('grow');
  assert.equal(h.meta!.deploymentCount, 2);
  assert.deepEqual(h.meta!.changeLog.map((c) => c.changeType), ['scale_up', 'pool_scaled', 'config_updated']);
  assert.equal(h.snapshots.at(-1)!.metadata.command, 'nodes add');
  assert.equal(h.snapshots.at(-1)!.metadata.message, 'more room');
  assert.deepEqual(h.snapshots.at(-1)!.inputs.options.manifests.map((m) => m.name), ['web-app'], 'the manifests of the last deploy are kept');
  assert.equal(h.registry.manifests['user-web-app']!.status, 'applied');
  const exported = await e.run(['export-config', 'grow', '--show-secrets']);
  assert.match(exported.stdout, /\(workers[\s\S]*?\(count 3\)/);
  const last = h.events.at(-1)!;
  assert.deepEqual([last.type, last.action, last.metadata.command, last.success], ['deployment', 'apply', 'nodes add', true]);
  assert.equal(last.description, "nodes add of stack 'grow' succeeded: 7 created, 5 updated");
});

test('nodes remove: only the pool\'s last node; it is drained and deleted from the cluster, then its machine and its peer everywhere', { skip, timeout: 180_000 }, async () => {
  await k.node('workers-3');
  await k.namespace('shop');
  const rs = await k.owner('ReplicaSet', 'shop', 'web-9', { app: 'web' });
  const ds = await k.owner('DaemonSet', 'kube-system', 'canal', { 'k8s-app': 'canal' });
  await k.pod('shop', 'web-x', 'workers-3', { labels: { app: 'web' }, owner: rs });
  await k.pod('kube-system', 'canal-w3', 'workers-3', { labels: { 'k8s-app': 'canal' }, owner: ds });
  const key = (await recorded(e, 'grow', PASSPHRASE)).machines['workers-3']!.wireguard.publicKey;

  let r = await e.run(['nodes', 'remove', 'grow', 'workers-2', '--pool', 'workers', '--yes']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: workers-2 cannot be removed on its own: node names are stable, so pool 'workers' shrinks from its end (workers-3 first)\nTo replace a broken workers-2, remove the pool's last node and add one, or destroy it with: sloth-kubernetes destroy grow --target <urn>\n");
  r = await e.run(['nodes', 'remove', 'grow', '--pool', 'nope']);
  assert.deepEqual([r.code, r.stderr], [1, "error: stack 'grow' has no node pool 'nope'\nIts pools: masters, workers\n"]);

  r = await e.run(['nodes', 'remove', 'grow', 'workers-3', '--pool', 'workers', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /- .*workers-3/);
  assert.deepEqual((await k.core.listNode()).items.map((n) => n.metadata!.name).sort(), ['masters-1', 'workers-1', 'workers-2', 'workers-3'], 'a dry run drains nothing');

  r = await e.run(['nodes', 'remove', 'grow', 'workers-3', '--pool', 'workers', '--yes']);
  assert.equal(r.code, 0, r.stderr + r.stdout.slice(-3000));
  assert.match(r.stderr, /workers-3 cordoned\n1 pod to evict from workers-3; left in place: kube-system\/canal-w3 \(DaemonSet canal\)\n/);
  assert.match(r.stderr, /shop\/web-x gone\nworkers-3 drained and deleted from the cluster's API\n/);
  assert.deepEqual((await k.core.listNode()).items.map((n) => n.metadata!.name).sort(), ['masters-1', 'workers-1', 'workers-2']);
  assert.deepEqual(await machines(), ['masters-1', 'workers-1', 'workers-2']);
  const rec = await recorded(e, 'grow', PASSPHRASE);
  for (const m of ['masters-1', 'workers-1', 'workers-2']) assert.ok(!rec.mesh[m]!.config.includes(key), `${m} no longer has workers-3 as a peer`);
  const h = await e.records('grow');
  assert.deepEqual(h.meta!.changeLog.map((c) => c.changeType), ['scale_down', 'pool_scaled', 'config_updated']);
  const events = h.events.filter((x) => x.correlationId === h.events.at(-1)!.correlationId);
  assert.deepEqual(events.map((x) => [x.type, x.action, x.resourceId, x.success]), [
    ['deployment', 'delete', 'workers-3', true],
    ['manifest', 'delete', 'rke2-config-workers-3', true],
    ['configuration', 'update', 'grow', true],
    ['deployment', 'update', 'grow', true],
    ['deployment', 'apply', 'grow', true],
  ]);
  assert.equal(events[0]!.description, 'node workers-3 drained and deleted from the cluster before its machine is removed');
});

test('nodes remove: a pool that cannot shrink, and an API out of reach, change nothing', { skip, timeout: 180_000 }, async () => {
  let r = await e.run(['nodes', 'remove', 'grow', '--pool', 'masters', '--yes']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\nerror: no node pool has the master role, so the cluster would have no Kubernetes API\nAdd a pool with \(roles master etcd\)\.\n$/);
  r = await e.run(['nodes', 'remove', 'grow', '--pool', 'workers', '--count', '3', '--yes']);
  assert.deepEqual([r.code, r.stderr], [1, "error: pool 'workers' has 2 nodes: 3 cannot be removed\n"]);

  const port = await freePort();
  await pointStackAt(e, 'grow', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default').replace(api.server, `https://127.0.0.1:${port}`) });
  r = await e.run(['nodes', 'remove', 'grow', '--pool', 'workers', '--yes']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`error: cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\n`));
  assert.deepEqual(await machines(), ['masters-1', 'workers-1', 'workers-2'], 'nothing removed');
  assert.equal((await e.records('grow')).meta!.deploymentCount, 3);
});
