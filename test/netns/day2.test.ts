// Day-2 commands against machines that are network namespaces (cluster-lab.ts: a real sshd
// and wireguard-go per recorded machine, nodes reachable only through the bastion, the CLI in a
// laptop namespace, the real kube-apiserver): nodes ssh through the bastion; health with every
// machine's WireGuard handshakes read over SSH next to the API's checks; kubeconfig --refresh
// from the API node as the deploy's step fetched it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { netnsSkipReason } from './harness.ts';
import { startClusterLab, type ClusterLab } from './cluster-lab.ts';
import { registerSimulatedClouds } from '../provider/simulated-cloud.ts';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../helpers/kube.ts';
import { ClusterObjects } from '../helpers/kube-objects.ts';
import type { Recorded } from '../helpers/deployed-stack.ts';
import { missing } from '../helpers/parts.ts';
import { PATHS } from '../../src/cluster/bootstrap/kubernetes.ts';
import { HistoryEnv } from '../../src/cli/history/testing.ts';

const skip = netnsSkipReason() ?? kubeApiMissing() ?? missing('sshd', 'ssh-keygen');
const config = `
(cluster
  (metadata (name "lab") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token "dop_v1_lab_test_token_0b7e")))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (security (bastion (enabled true) (provider "digitalocean") (region "nyc3") (size "s-1vcpu-1gb") (allowed-cidrs "198.51.100.0/24")))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count 2) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "rke2")))
`;
const MACHINES = ['bastion', 'masters-1', 'workers-1', 'workers-2'] as const;

let api: KubeApi;
let e: HistoryEnv;
let rec: Recorded;
let cl: ClusterLab;
let unregister = () => {};

/** What the RKE2 server on masters-1 holds: its admin kubeconfig, pointing at itself. */
const RKE2_YAML = 'apiVersion: v1\nkind: Config\nclusters:\n- name: default\n  cluster:\n    server: https://127.0.0.1:6443\n    certificate-authority-data: cm90YXRlZC1jYQ==\nusers:\n- name: default\n  user:\n    client-certificate-data: cm90YXRlZC1jZXJ0\n    client-key-data: cm90YXRlZC1rZXk=\ncontexts:\n- name: default\n  context:\n    cluster: default\n    user: default\ncurrent-context: default\n';

const cli = (args: string[]) => cl.cli(args);

before(async () => {
  if (skip) return;
  unregister = registerSimulatedClouds();
  api = await startKubeApi();
  const k = new ClusterObjects(api);
  for (const n of ['masters-1', 'workers-1', 'workers-2']) await k.node(n, { kubeletVersion: 'v1.29.0+rke2r1' });
  const canal = await k.owner('DaemonSet', 'kube-system', 'rke2-canal', { 'k8s-app': 'canal' });
  const coredns = await k.owner('ReplicaSet', 'kube-system', 'rke2-coredns-6d8f', { 'k8s-app': 'kube-dns' });
  for (const n of ['masters-1', 'workers-1', 'workers-2']) await k.pod('kube-system', `rke2-canal-${n}`, n, { labels: { 'k8s-app': 'canal' }, owner: canal });
  await k.pod('kube-system', 'rke2-coredns-a', 'workers-1', { labels: { 'k8s-app': 'kube-dns' }, owner: coredns });
  await k.pod('kube-system', 'etcd-masters-1', 'masters-1', { labels: { component: 'etcd', tier: 'control-plane' }, annotations: { 'kubernetes.io/config.mirror': 'e1' } });

  e = new HistoryEnv(undefined);
  cl = await startClusterLab(e, 'lab', config, { api, files: { 'masters-1': { [PATHS.rke2.kubeconfig]: { content: RKE2_YAML } } } });
  rec = cl.rec;
  assert.deepEqual(Object.keys(rec.machines).sort(), [...MACHINES]);
});

after(async () => {
  cl?.stop();
  unregister();
  e?.cleanup();
  await api?.stop();
});

test('nodes ssh reaches a node through the bastion, both hops pinned', { skip, timeout: 120_000 }, async () => {
  const r = await cli(['nodes', 'ssh', 'lab', 'workers-2', '--', 'ip', '-o', '-4', 'address', 'show', 'prv0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /inet 10\.10\.0\.13\/24/);
  // The node is not reachable from the laptop's network at all: only the bastion hop gets there.
  assert.notEqual(spawnSync('ip', ['netns', 'exec', cl.laptop.ns, 'ping', '-c', '1', '-W', '1', cl.address('workers-2').private]).status, 0);
  const last = (await e.records('lab')).events.filter((x) => x.metadata.command === 'nodes ssh').at(-1)!;
  assert.equal(last.description, `SSH command on workers-2 of stack 'lab' as ${cl.sshds.get('workers-2')!.user} through bastion`);
});

test('health: every check of a healthy cluster passes, WireGuard handshakes included (exit 0); --json', { skip, timeout: 120_000 }, async () => {
  const r = await cli(['health', 'lab']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = r.stdout.split('\n');
  assert.match(rows[0]!, /^CHECK\s+SUBJECT\s+STATUS\s+DETAIL$/);
  assert.match(r.stdout, new RegExp(`\\napi\\s+${api.server.replace(/[.]/g, '\\.')}\\s+ok\\s+/readyz: ok \\(\\d+ checks passed\\)\\n`));
  assert.match(r.stdout, /\ncertificate\s+API serving certificate\s+ok\s+expires \d{4}-\d\d-\d\d \(in 36[45] days\)\n/);
  assert.match(r.stdout, /\ncertificate\s+kubeconfig client certificate\s+ok\s+expires \d{4}-\d\d-\d\d \(in 36[45] days\)\n/);
  for (const n of ['masters-1', 'workers-1', 'workers-2']) assert.match(r.stdout, new RegExp(`\\nnode\\s+${n}\\s+ok\\s+Ready, kubelet v1\\.29\\.0\\+rke2r1\\n`));
  assert.match(r.stdout, /\nsystem-pods\s+DNS \(CoreDNS\)\s+ok\s+1\/1 ready\n/);
  assert.match(r.stdout, /\nsystem-pods\s+CNI \(canal\)\s+ok\s+3\/3 ready\n/);
  assert.match(r.stdout, /\netcd\s+masters-1\s+ok\s+etcd-masters-1: Running, Ready\n/);
  assert.match(r.stdout, /\netcd\s+API server → etcd\s+ok\s+etcd ok\n/);
  for (const m of MACHINES) assert.match(r.stdout, new RegExp(`\\nwireguard\\s+${m}\\s+ok\\s+wg0: 3 peers, latest handshakes \\S+ ago\\n`));
  assert.match(r.stdout, /\nStack 'lab' is healthy: \d+ checks passed \(\d+\.\d s\)\.\n$/);
  const j = JSON.parse((await cli(['health', 'lab', '--json'])).stdout) as { status: string; rows: { check: string; status: string }[] };
  assert.equal(j.status, 'healthy');
  assert.deepEqual([...new Set(j.rows.map((x) => x.check))], ['api', 'certificate', 'node', 'system-pods', 'etcd', 'wireguard']);
});

test('health: a peer gone from a node\'s interface is degraded (exit 1); the API out of reach is unreachable (exit 2)', { skip, timeout: 120_000 }, async () => {
  // On workers-2, as root: drop masters-1 from its interface.
  const removed = await cli(['nodes', 'ssh', 'lab', 'workers-2', '--', 'wg', 'set', 'wg0', 'peer', rec.machines['masters-1']!.wireguard.publicKey, 'remove']);
  assert.equal(removed.code, 0, removed.stderr);
  let r = await cli(['health', 'lab']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\nwireguard\s+workers-2\s+degraded\s+wg0: masters-1: not configured on the interface\n/);
  assert.match(r.stdout, /\nStack 'lab' is degraded: 1 of \d+ checks failed/);

  cl.cutApi();
  r = await cli(['status', 'lab', '--no-wireguard']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /^Stack: lab\nDeployment: deploy-1-\d{4}-\d\d-\d\d \(.+\), 3 nodes\n\n/);
  assert.match(r.stdout, new RegExp(`\\napi\\s+${api.server.replace(/[.]/g, '\\.')}\\s+unreachable\\s+cannot reach the Kubernetes API at ${api.server.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\)\\n`));
  assert.match(r.stdout, /Stack 'lab': the cluster's API could not be asked/);
});

test('kubeconfig --refresh fetches the kubeconfig from the API node through the bastion and keeps it in the stack', { skip, timeout: 120_000 }, async () => {
  const r = await cli(['kubeconfig', 'lab', '--refresh']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'Fetched the kubeconfig from masters-1 (through bastion): it had changed, and the stack now holds the new one.\n');
  assert.match(r.stdout, /client-key-data: cm90YXRlZC1rZXk=/);
  assert.match(r.stdout, /server: https:\/\/[0-9.]+:6443\n/);
  assert.doesNotMatch(r.stdout, /127\.0\.0\.1/);
  const stored = await cli(['stacks', 'output', 'lab', 'kubeConfig', '--show-secrets']);
  assert.match(stored.stdout, /client-key-data: cm90YXRlZC1rZXk=/);
  const again = await cli(['kubeconfig', 'lab', '--refresh', '-o', join(e.dir, 'fresh.yaml')]);
  assert.equal(again.stderr, 'Fetched the kubeconfig from masters-1 (through bastion): the same as the stack holds.\n');
  const events = (await e.records('lab')).events.filter((x) => x.metadata.command === 'kubeconfig');
  assert.deepEqual(events.map((x) => [x.action, x.success]), [['refresh', true], ['refresh', true]]);
});
