// `health` of a 10-node cluster (3 masters, 7 workers, and a bastion): the CLI as installed
// (bin/sloth-kubernetes.js) as a process in the lab laptop's network namespace, every machine a namespace with a real sshd and wireguard-go
// (test/netns/cluster-lab.ts), reached through the bastion; the real kube-apiserver with the 10
// Node objects and the system pods. Wall time from spawning the CLI to its exit (Node start-up,
// stack opened with key derivation, API checks and 11 WireGuard reads over SSH in parallel),
// and the report's own duration. Target: < 3 s. Needs root and the peers of scripts/test-peers.
import { netnsSkipReason } from '../test/netns/harness.ts';
import { startClusterLab } from '../test/netns/cluster-lab.ts';
import { kubeApiMissing, startKubeApi } from '../test/helpers/kube.ts';
import { ClusterObjects } from '../test/helpers/kube-objects.ts';
import { registerSimulatedClouds } from '../test/provider/simulated-cloud.ts';
import { HistoryEnv } from '../src/cli/history/testing.ts';

const why = netnsSkipReason() ?? kubeApiMissing();
if (why) {
  console.error(why);
  process.exit(1);
}
const RUNS = Number(process.argv[2] ?? 5);
/** SLOTH_BENCH_PROFILE=DIR: a CPU profile of each CLI process into DIR. */
const profile = process.env.SLOTH_BENCH_PROFILE;
const config = `
(cluster
  (metadata (name "bench") (environment "bench"))
  (providers (digitalocean (enabled true) (region "nyc3") (token "dop_v1_bench_token_health_00")))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (security (bastion (enabled true) (provider "digitalocean") (region "nyc3") (size "s-1vcpu-1gb") (allowed-cidrs "198.51.100.0/24")))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 3) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count 7) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "rke2")))
`;

const unregister = registerSimulatedClouds();
const api = await startKubeApi();
const e = new HistoryEnv(undefined);
let stopLab = () => {};
try {
  const k = new ClusterObjects(api);
  const nodes = [...[1, 2, 3].map((i) => `masters-${i}`), ...[1, 2, 3, 4, 5, 6, 7].map((i) => `workers-${i}`)];
  const canal = await k.owner('DaemonSet', 'kube-system', 'rke2-canal', { 'k8s-app': 'canal' });
  const dns = await k.owner('ReplicaSet', 'kube-system', 'rke2-coredns', { 'k8s-app': 'kube-dns' });
  for (const n of nodes) {
    await k.node(n);
    await k.pod('kube-system', `rke2-canal-${n}`, n, { labels: { 'k8s-app': 'canal' }, owner: canal });
    if (n.startsWith('masters')) await k.pod('kube-system', `etcd-${n}`, n, { labels: { component: 'etcd' }, annotations: { 'kubernetes.io/config.mirror': n } });
  }
  for (const n of ['workers-1', 'workers-2']) await k.pod('kube-system', `coredns-${n}`, n, { labels: { 'k8s-app': 'kube-dns' }, owner: dns });

  const cl = await startClusterLab(e, 'bench', config, { api });
  stopLab = cl.stop;

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const measure = async (args: string[]) => {
    const wall: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await cl.cli(args, profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profile}` } : {});
      wall.push(performance.now() - t);
      if (r.code !== 0) throw new Error(`health exited ${r.code}:\n${r.stdout}${r.stderr}`);
      own.push((JSON.parse(r.stdout) as { durationMs: number; rows: unknown[] }).durationMs);
    }
    return { wall, own };
  };
  const full = await measure(['health', 'bench', '--json']);
  const apiOnly = await measure(['health', 'bench', '--json', '--no-wireguard']);
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  console.log(`health, 10 nodes + bastion (${RUNS} runs, load ${load}):`);
  console.log(`  full (API + 11 WireGuard reads over SSH): wall median ${Math.round(median(full.wall))} ms (min ${Math.round(Math.min(...full.wall))}, max ${Math.round(Math.max(...full.wall))}); checks themselves median ${median(full.own)} ms   target < 3000 ms`);
  console.log(`  --no-wireguard: wall median ${Math.round(median(apiOnly.wall))} ms; checks median ${median(apiOnly.own)} ms`);
} finally {
  stopLab();
  unregister();
  e.cleanup();
  await api.stop();
}
