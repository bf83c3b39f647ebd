// Questions about the machines a configuration describes, shared by defaults, validation,
// the `validate` summary and the planner, so that all of them count the same way.
import type { ClusterConfig, NodeConfig, NodePool, ProviderName, Role } from './schema.ts';
import { PROVIDERS } from './schema.ts';

/** A group of identical machines: a node pool, or one individually declared node. */
export interface MachineGroup {
  kind: 'pool' | 'node';
  /** Key in `node-pools` / `nodes`. */
  key: string;
  /** Config path: `node-pools.workers`, `nodes.edge-1`. */
  path: string;
  name: string;
  count: number;
  roles: Role[];
  provider: ProviderName | undefined;
  region: string | undefined;
  size: string;
}

export function machineGroups(config: ClusterConfig): MachineGroup[] {
  const groups: MachineGroup[] = [];
  for (const [key, pool] of Object.entries(config.nodePools) as Array<[string, NodePool]>) {
    groups.push({
      kind: 'pool',
      key,
      path: `node-pools.${key}`,
      name: pool.name ?? key,
      count: pool.count,
      roles: pool.roles ?? [],
      provider: pool.provider,
      region: pool.region,
      size: pool.size,
    });
  }
  for (const [key, node] of Object.entries(config.nodes) as Array<[string, NodeConfig]>) {
    groups.push({
      kind: 'node',
      key,
      path: `nodes.${key}`,
      name: node.name ?? key,
      count: 1,
      roles: node.roles ?? [],
      provider: node.provider,
      region: node.region,
      size: node.size,
    });
  }
  return groups;
}

/** Runs the Kubernetes control plane (an RKE2/K3s server). */
export function isControlPlane(roles: readonly Role[]): boolean {
  return roles.includes('master');
}

/** Runs an etcd member (embedded etcd on an RKE2/K3s server). */
export function isEtcdMember(roles: readonly Role[]): boolean {
  return roles.includes('etcd');
}

export interface RoleCounts {
  total: number;
  controlPlane: number;
  etcd: number;
  worker: number;
}

export function roleCounts(config: ClusterConfig, groups: readonly MachineGroup[] = machineGroups(config)): RoleCounts {
  const c: RoleCounts = { total: 0, controlPlane: 0, etcd: 0, worker: 0 };
  for (const g of groups) {
    c.total += g.count;
    if (isControlPlane(g.roles)) c.controlPlane += g.count;
    if (isEtcdMember(g.roles)) c.etcd += g.count;
    if (g.roles.includes('worker')) c.worker += g.count;
  }
  return c;
}

/** Roles a pool gets from its name when it declares none. */
export function rolesFromName(name: string): Role[] {
  return ['master', 'masters', 'control-plane', 'server'].includes(name) ? ['master', 'etcd'] : ['worker'];
}

/** Providers whose block is present and not `(enabled false)`, in schema order. */
export function enabledProviders(config: ClusterConfig): ProviderName[] {
  const providers = config.providers as Partial<Record<ProviderName, { enabled: boolean }>>;
  return PROVIDERS.filter((p) => providers[p]?.enabled === true);
}

/** The region of a provider block: `region`, or `location` for Hetzner and Azure. */
export function providerRegion(config: ClusterConfig, provider: ProviderName): string | undefined {
  const block = (config.providers as Partial<Record<ProviderName, { region?: string; location?: string }>>)[provider];
  return block?.region ?? block?.location;
}

/** Machines on the WireGuard mesh: every node, plus the bastion when there is one. */
export function meshMembers(config: ClusterConfig, groups: readonly MachineGroup[] = machineGroups(config)): number {
  return roleCounts(config, groups).total + (config.security.bastion?.enabled ? 1 : 0);
}
