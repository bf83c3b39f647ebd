// fast-check generators of cluster models and mesh inputs, shared by the property tests of
// the WireGuard mesh, the firewall rules and the bootstrap. Kept under src/ next to the code
// they exercise; nothing outside tests imports this file.
import fc from 'fast-check';
import type { ClusterModel, NodeModel, Role } from '../model.ts';
import type { MeshMemberInput } from '../wireguard/mesh.ts';

export const providers = ['aws', 'digitalocean', 'linode', 'hetzner'] as const;
const regions: Record<string, string[]> = {
  aws: ['us-east-1', 'eu-west-1'],
  digitalocean: ['nyc3', 'fra1'],
  linode: ['us-east', 'eu-central'],
  hetzner: ['nbg1', 'hel1'],
};
const roleSets: Role[][] = [['master', 'etcd'], ['worker'], ['master', 'etcd', 'worker'], ['etcd'], ['master'], ['worker']];

export interface PoolSpec {
  name: string;
  provider: string;
  region: string;
  count: number;
  roles: Role[];
  publicAddress: boolean;
}

export const poolArb: fc.Arbitrary<Omit<PoolSpec, 'name'>> = fc
  .record({
    provider: fc.constantFrom(...providers),
    regionIndex: fc.integer({ min: 0, max: 1 }),
    count: fc.integer({ min: 0, max: 6 }),
    roles: fc.constantFrom(...roleSets),
    publicAddress: fc.boolean(),
  })
  .map(({ provider, regionIndex, ...rest }) => ({ provider, region: regions[provider]![regionIndex]!, ...rest }));

export const poolsArb: fc.Arbitrary<PoolSpec[]> = fc
  .array(poolArb, { minLength: 1, maxLength: 6 })
  .map((pools) => pools.map((p, i) => ({ ...p, name: `pool${i}` })));

export function nodesOf(pools: readonly PoolSpec[]): NodeModel[] {
  return pools.flatMap((p) =>
    Array.from({ length: p.count }, (_, i) => ({
      name: `${p.name}-${i + 1}`,
      pool: p.name,
      index: i + 1,
      provider: p.provider,
      region: p.region,
      size: 'small',
      roles: p.roles,
      publicAddress: p.publicAddress,
      labels: {},
      taints: [],
    })),
  );
}

/** Mesh members for generated pools; a bastion is added when some node needs one. */
export const meshMembersArb: fc.Arbitrary<MeshMemberInput[]> = fc.tuple(poolsArb, fc.boolean(), fc.constantFrom(...providers)).map(([pools, wantBastion, bastionProvider]) => {
  const nodes: MeshMemberInput[] = nodesOf(pools).map((n) => ({ name: n.name, kind: 'node', provider: n.provider, region: n.region, publicAddress: n.publicAddress }));
  const needsBastion = nodes.some((n) => !n.publicAddress);
  if (!wantBastion && !needsBastion) return nodes;
  return [{ name: 'bastion', kind: 'bastion', provider: bastionProvider, region: regions[bastionProvider]![0]!, publicAddress: true }, ...nodes];
});

/** A small but complete cluster model for tests; `overrides` replaces top-level fields. */
export function sampleModel(overrides: Partial<ClusterModel> = {}): ClusterModel {
  return {
    name: 'demo',
    stack: 'dev',
    nodes: nodesOf([
      { name: 'masters', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd'], publicAddress: true },
      { name: 'workers', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: true },
    ]),
    wireguard: { subnetCidr: '10.8.0.0/24', port: 51820, mtu: 1420, persistentKeepalive: 25, interfaceName: 'wg0' },
    network: { podCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', allowedCidrs: ['198.51.100.0/24'], extraFirewallRules: [] },
    kubernetes: {
      distribution: 'rke2',
      version: 'v1.29.0+rke2r1',
      cni: 'canal',
      clusterDns: '10.43.0.10',
      clusterDomain: 'cluster.local',
      disable: [],
      tlsSan: [],
      selinux: false,
      secretsEncryption: true,
    },
    ssh: { user: 'sloth', port: 22 },
    ...overrides,
  };
}
