// Planning cost of a large cluster: the plan (mesh, firewall, user-data, every remote step)
// and the engine graph, for a first deploy (every key generated) and for a re-plan from the
// recorded state (nothing generated), then an engine preview of the graph against an empty
// stack. Run: node bench/cluster-plan.ts [nodes]   (default 1000 nodes over 4 clouds)
import { performance } from 'node:perf_hooks';
import { preview, ProviderRegistry } from '../src/engine/index.ts';
import { buildClusterGraph } from '../src/cluster/graph.ts';
import { previousFromDeployment } from '../src/cluster/previous.ts';
import { pendingCloudPackages } from '../src/cluster/clouds/pending.ts';
import { slothPackage, CLUSTER_RECORD_TYPE, MACHINE_RECORD_TYPE } from '../src/cluster/remote/package.ts';
import { nodesOf, sampleModel, type PoolSpec } from '../src/cluster/testing/arbitraries.ts';
import type { Deployment, ResourceState } from '../src/state/types.ts';

const total = Number(process.argv[2] ?? 1000);
const clouds = {
  aws: { region: 'us-east-1', network: { create: true, name: 'bench-aws', cidr: '10.0.0.0/16' } },
  digitalocean: { region: 'nyc3', network: { create: true, name: 'bench-do', cidr: '10.10.0.0/16' } },
  linode: { region: 'us-east', network: { create: true, name: 'bench-linode', cidr: '10.20.0.0/16' } },
  hetzner: { region: 'nbg1', network: { create: true, name: 'bench-hetzner', cidr: '10.30.0.0/16' } },
};
const per = Math.floor((total - 3) / 4);
const pools: PoolSpec[] = [
  { name: 'masters', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd'], publicAddress: true },
  ...(['aws', 'digitalocean', 'linode', 'hetzner'] as const).map((p) => ({ name: `${p}-workers`, provider: p, region: clouds[p].region, count: per, roles: ['worker' as const], publicAddress: true })),
];
const model = sampleModel({ name: 'bench', clouds, nodes: nodesOf(pools), wireguard: { subnetCidr: '10.8.0.0/20', port: 51820, mtu: 1420, persistentKeepalive: 25, interfaceName: 'wg0' } });
const registry = new ProviderRegistry().register(slothPackage);
for (const p of pendingCloudPackages()) registry.register(p);

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
};

const [first, tFirst] = time(() => buildClusterGraph(model));
const desired = first.graph.build();
const records: ResourceState[] = desired.resources
  .filter((r) => r.type === CLUSTER_RECORD_TYPE || r.type === MACHINE_RECORD_TYPE)
  .map((r) => ({ urn: r.urn, custom: true, type: r.type, inputs: r.inputs as ResourceState['inputs'] }));
const deployment: Deployment = { manifest: { time: '', magic: '', version: '' }, resources: records, pendingOperations: [] };
const previous = previousFromDeployment(deployment, 'bench');
const replans: number[] = [];
let resources = 0;
for (let i = 0; i < 5; i++) {
  const [g, t] = time(() => buildClusterGraph(model, previous).graph.build());
  replans.push(t);
  resources = g.resources.length;
}
const [, tPreview] = time(() => preview({ deployment: { manifest: { time: '', magic: '', version: '' }, resources: [], pendingOperations: [] } }, desired, { registry }));
replans.sort((a, b) => a - b);
console.log(`cluster of ${model.nodes.length} nodes on 4 clouds: ${resources} resources, ${first.plan.steps.length} remote steps`);
console.log(`first plan + graph (generates ${model.nodes.length} host keys, WireGuard keys, tokens): ${tFirst.toFixed(0)} ms`);
console.log(`re-plan + graph from the recorded state (nothing generated): median ${replans[2]!.toFixed(0)} ms (min ${replans[0]!.toFixed(0)} ms)`);
console.log(`engine preview of that graph on an empty stack: ${tPreview.toFixed(0)} ms`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB`);
