// Cordon and drain against the real kube-apiserver (test/helpers/kube.ts): Node objects and
// pods registered through the API as kubelets and the scheduler would, a PodDisruptionBudget
// whose status the test sets as the disruption controller would — the API server itself
// refuses the eviction (429) while it allows no disruption, and performs it once it does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../../test/helpers/kube.ts';
import { ClusterObjects } from '../../test/helpers/kube-objects.ts';
import { freePort } from '../../test/helpers/moto.ts';
import { kubeClient, KubeApiError } from './client.ts';
import { cordonNode, drainNode, DrainError, podName, uncordonNode, type DrainEvent } from './drain.ts';

const skip = kubeApiMissing();
let api: KubeApi;
let k: ClusterObjects;
let stopKubelet = () => {};
before(async () => {
  if (skip) return;
  api = await startKubeApi();
  k = new ClusterObjects(api);
  for (const n of ['n1', 'n2', 'n3']) await k.node(n);
  stopKubelet = k.kubelet(['n1', 'n2', 'n3']);
});
after(async () => {
  stopKubelet();
  await api?.stop();
});

const client = () => kubeClient(api.kubeconfigYaml(), { timeoutMs: 10_000 });
const unschedulable = async (node: string) => Boolean((await k.core.readNode({ name: node })).spec?.unschedulable);
const podsOn = async (node: string) => (await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`).sort();

test('drain: refuses unmanaged and emptyDir pods before changing anything; evicts through a PDB once it allows, skips DaemonSet and mirror pods', { skip, timeout: 120_000 }, async () => {
  await k.namespace('shop');
  const web = await k.owner('ReplicaSet', 'shop', 'web-7d9f', { app: 'web' });
  const cache = await k.owner('ReplicaSet', 'shop', 'cache-5c6b', { app: 'cache' });
  const agent = await k.owner('DaemonSet', 'shop', 'log-agent', { app: 'log-agent' });
  await k.pod('shop', 'web-a', 'n1', { labels: { app: 'web' }, owner: web });
  await k.pod('shop', 'web-b', 'n1', { labels: { app: 'web' }, owner: web });
  await k.pod('shop', 'cache-a', 'n1', { labels: { app: 'cache' }, owner: cache, volumes: [{ name: 'scratch', emptyDir: {} }] });
  await k.pod('shop', 'log-agent-x', 'n1', { labels: { app: 'log-agent' }, owner: agent });
  await k.pod('shop', 'debug', 'n1');
  await k.pod('kube-system', 'etcd-n1', 'n1', { annotations: { 'kubernetes.io/config.mirror': 'abc', 'kubernetes.io/config.source': 'file' } });
  await k.pod('shop', 'web-c', 'n2', { labels: { app: 'web' }, owner: web });
  // Three healthy web pods, at least three must stay: no disruption allowed.
  await k.pdb('shop', 'web', { app: 'web' }, 0, 3);

  // Without flags: refused, and the node is not even cordoned.
  await assert.rejects(
    drainNode(client(), 'n1', { timeoutMs: 10_000 }),
    (err: unknown) => {
      assert.ok(err instanceof DrainError && err.kind === 'refused' && !err.cordoned);
      assert.deepEqual(err.pods.map(podName), ['shop/cache-a', 'shop/debug']);
      assert.match(err.message, /shop\/debug: not managed by a controller: nothing would recreate it \(--force evicts it\)/);
      assert.match(err.message, /shop\/cache-a: has emptyDir data, lost when it is evicted \(--delete-emptydir-data evicts it\)/);
      return true;
    },
  );
  assert.equal(await unschedulable('n1'), false);

  // With both flags: the budget blocks the web pods until the "disruption controller" allows one at a time.
  const events: DrainEvent[] = [];
  const onEvent = (e: DrainEvent) => {
    events.push(e);
    if (e.type === 'blocked' && events.filter((x) => x.type === 'blocked').length === 1) void k.pdbAllows('shop', 'web', 1, 3);
    // A replacement came up healthy elsewhere: one more disruption allowed.
    if (e.type === 'evicted' && e.pod.name.startsWith('web-') && events.filter((x) => x.type === 'evicted' && x.pod.name.startsWith('web-')).length === 1) void k.pdbAllows('shop', 'web', 1, 3);
  };
  const result = await drainNode(client(), 'n1', { force: true, deleteEmptyDirData: true, timeoutMs: 30_000, retryIntervalMs: 200, onEvent });
  assert.deepEqual(result.evicted.map(podName).sort(), ['shop/cache-a', 'shop/debug', 'shop/web-a', 'shop/web-b']);
  assert.deepEqual(result.skipped.map((p) => `${podName(p)}: ${p.why}`).sort(), ['kube-system/etcd-n1: mirror pod (a static pod of the kubelet)', 'shop/log-agent-x: DaemonSet log-agent']);
  assert.equal(await unschedulable('n1'), true);
  assert.deepEqual(await podsOn('n1'), ['kube-system/etcd-n1', 'shop/log-agent-x']);
  assert.deepEqual(await podsOn('n2'), ['shop/web-c'], 'another node is not touched');
  const blocked = events.find((e) => e.type === 'blocked');
  assert.ok(blocked && blocked.type === 'blocked');
  assert.match(blocked.message, /Cannot evict pod as it would violate the pod's disruption budget/);
  assert.deepEqual(events[0], { type: 'cordoned', node: 'n1', already: false });
  assert.deepEqual(events.filter((e) => e.type === 'gone').length, 4);

  // Uncordon, and cordon twice: the second says it was already.
  assert.deepEqual(await uncordonNode(client(), 'n1'), { already: false });
  assert.equal(await unschedulable('n1'), false);
  assert.deepEqual(await cordonNode(client(), 'n1'), { already: false });
  assert.deepEqual(await cordonNode(client(), 'n1'), { already: true });
});

test('drain: a budget that never allows the eviction ends at the timeout, naming the pod and the reason; the node stays cordoned', { skip, timeout: 60_000 }, async () => {
  await k.namespace('db');
  const rs = await k.owner('ReplicaSet', 'db', 'pg-1', { app: 'pg' });
  await k.pod('db', 'pg-0', 'n3', { labels: { app: 'pg' }, owner: rs });
  await k.pdb('db', 'pg', { app: 'pg' }, 0, 1);
  await assert.rejects(drainNode(client(), 'n3', { timeoutMs: 1500, retryIntervalMs: 200 }), (err: unknown) => {
    assert.ok(err instanceof DrainError && err.kind === 'timeout' && err.cordoned);
    assert.match(err.message, /^drain of n3 did not finish within 2s; still on the node:\n {2}db\/pg-0: eviction refused: Cannot evict pod as it would violate the pod's disruption budget/);
    return true;
  });
  assert.equal(await unschedulable('n3'), true);
  assert.deepEqual(await podsOn('n3'), ['db/pg-0']);
});

test('an unknown node and an unreachable API are KubeApiErrors of their kind', { skip, timeout: 30_000 }, async () => {
  await assert.rejects(cordonNode(client(), 'nope'), (err: unknown) => err instanceof KubeApiError && err.kind === 'not-found' && /nodes "nope" not found/.test(err.message));
  const port = await freePort();
  const closed = kubeClient(api.kubeconfigYaml().replace(api.server, `https://127.0.0.1:${port}`), { timeoutMs: 5000 });
  await assert.rejects(cordonNode(closed, 'n1'), (err: unknown) => err instanceof KubeApiError && err.kind === 'unreachable' && err.message === `cannot reach the Kubernetes API at https://127.0.0.1:${port} (ECONNREFUSED)`);
});
