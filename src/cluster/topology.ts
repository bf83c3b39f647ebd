// Facts about a cluster's shape that several parts of the planner need to agree on: which
// nodes run the Kubernetes server, which one initialises etcd, and whether the API gets a
// load balancer.
import { ClusterPlanError } from './errors.ts';
import { isEtcd, isMaster, isServer, type ClusterModel, type NodeModel } from './model.ts';

export const serverNodes = (model: Pick<ClusterModel, 'nodes'>): NodeModel[] => model.nodes.filter(isServer);
export const masterNodes = (model: Pick<ClusterModel, 'nodes'>): NodeModel[] => model.nodes.filter(isMaster);
export const agentNodes = (model: Pick<ClusterModel, 'nodes'>): NodeModel[] => model.nodes.filter((n) => !isServer(n));

/** More than one API server: the API gets a load balancer (or a DNS record set). */
export const needsApiLoadBalancer = (model: Pick<ClusterModel, 'nodes'>): boolean => masterNodes(model).length > 1;

/**
 * The server that initialises the embedded etcd. Once chosen it stays chosen: the previous
 * deployment's choice is kept while that node exists. When it is gone and other servers
 * remain, nobody initialises (they already hold the data) and the first remaining etcd
 * node becomes the registration target.
 */
export function clusterInitNode(model: Pick<ClusterModel, 'nodes'>, previousInit?: string, previousServers: readonly string[] = []): NodeModel | undefined {
  const etcd = model.nodes.filter(isEtcd);
  if (previousInit) {
    const kept = etcd.find((n) => n.name === previousInit);
    if (kept) return kept;
    if (previousServers.some((s) => model.nodes.some((n) => n.name === s && isServer(n)))) return undefined;
  }
  return etcd[0];
}

/**
 * Where a node registers, over WireGuard. Servers join through an etcd member (the
 * initialising one while it exists); agents through an API server, preferring the same
 * node so that a small cluster has one registration address.
 */
export function registrationNode(
  model: Pick<ClusterModel, 'nodes'>,
  kind: 'server' | 'agent',
  previousInit?: string,
  previousServers: readonly string[] = [],
): NodeModel {
  const etcdNode = clusterInitNode(model, previousInit, previousServers) ?? model.nodes.find(isEtcd);
  if (!etcdNode) {
    throw new ClusterPlanError('no node pool has the etcd role, so there is nowhere to keep the cluster state', {
      hint: 'Give the masters pool both roles: (roles master etcd).',
    });
  }
  if (kind === 'server' || isMaster(etcdNode)) return etcdNode;
  const master = model.nodes.find(isMaster);
  if (!master) throw new ClusterPlanError('no node pool has the master role, so agents have no API server to join', { hint: 'Add a pool with (roles master etcd).' });
  return master;
}

/** Checks the role mix the distributions can run; throws a ClusterPlanError naming the problem. */
export function checkRoles(model: Pick<ClusterModel, 'nodes'>): void {
  if (model.nodes.length === 0) throw new ClusterPlanError('the cluster has no nodes', { hint: 'Add a node pool with a count of at least 1.' });
  if (masterNodes(model).length === 0) {
    throw new ClusterPlanError('no node pool has the master role, so the cluster would have no Kubernetes API', {
      hint: 'Add a pool with (roles master etcd).',
    });
  }
  registrationNode(model, 'server');
}
