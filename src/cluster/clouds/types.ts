// What a cloud mapping is: how one cloud represents the cluster's network, firewall, SSH
// key, machines, API load balancer and DNS records as engine resources. The mapping only
// declares resources (type tokens and inputs); the provider packages that create them live
// in src/providers/<cloud>/ and implement exactly the inputs and outputs documented in each
// mapping file.
import type { InputMap, InputValue, ResourceHandle, ResourceOptions } from '../../engine/index.ts';
import type { OutputRef } from '../../engine/index.ts';
import type { CloudModel, ClusterModel, DnsProvider } from '../model.ts';
import type { FirewallRule } from '../firewall/rules.ts';
import type { MachinePlan } from '../plan.ts';

/** Tags every object carries (the provider adds the URN tag itself at create). */
export function baseTags(model: ClusterModel): Record<string, string> {
  return { ...(model.tags ?? {}), 'sloth-kubernetes/cluster': model.name, 'sloth-kubernetes/stack': model.stack, 'managed-by': 'sloth-kubernetes' };
}

/**
 * Where mappings declare their resources: the desired graph, seen through the part of the
 * config the call is about. The graph code (graph.ts) hands every mapping call a declarer
 * that sets `sourcePosition` (a config path such as `node-pools.workers`) on each resource,
 * so pre-flight problems point at FILE:LINE:COL on every cloud; a mapping passes its own
 * `sourcePosition` only where it knows a narrower place (an image look-up → `….image`).
 */
export interface ResourceDeclarer {
  resource(type: string, name: string, inputs: InputMap, options?: ResourceOptions): ResourceHandle;
}

export interface CloudContext {
  graph: ResourceDeclarer;
  model: ClusterModel;
  /** Provider name (`aws`, …) and its settings. */
  cloud: string;
  settings: CloudModel;
  /** The explicit provider configuration every resource of this cloud uses. */
  provider: ResourceHandle;
  tags: Record<string, string>;
  /** The deploy key's public half (clouds that take the key on each machine read it here). */
  deployPublicKey: string;
  /** Resources declared once per cloud and shared (see `once`). */
  cache: Map<string, unknown>;
}

export interface NetworkHandles {
  /** Resource ids the machines attach to (e.g. a subnet per zone); literal ids for existing networks. */
  refs: Record<string, InputValue>;
  /** The private network's address range. */
  cidr: string;
}

export interface MachineHandles {
  machine: MachinePlan;
  resource: ResourceHandle;
  id: OutputRef;
  publicAddress: OutputRef;
  privateAddress: OutputRef;
}

/**
 * Where a rule's non-CIDR sources come from, resolved by the graph: addresses of our own
 * machines (single IPs; providers write them as /32 or /128), split by whether the machine
 * is on this cloud's private network.
 */
export interface SourceAddresses {
  /** Mesh members on other clouds or regions: their public addresses. */
  remoteMesh: { machine: string; address: OutputRef }[];
  /** Whether some mesh members share this cloud's private network. */
  localMesh: boolean;
  /** The bastion: its private address when it is on this network, else its public one. */
  bastion?: OutputRef;
}

export interface LoadBalancerHandles {
  resource: ResourceHandle;
  /** DNS name or address clients connect to. */
  address: OutputRef;
  /** Whether `address` is a DNS name (CNAME) or an IP address (A record). */
  addressKind: 'name' | 'ipv4';
}

export interface CloudMapping {
  readonly name: string;
  /** Every resource type token this mapping may declare, with the inputs that force replacement. */
  readonly resourceTypes: Readonly<Record<string, readonly string[]>>;
  /** Provider configuration inputs that are credentials (stored as secrets). */
  readonly credentialKeys: readonly string[];
  network(ctx: CloudContext): NetworkHandles;
  /** The cloud's SSH key object, or undefined where machines take the key themselves (Azure, GCP). */
  sshKey(ctx: CloudContext, publicKey: string): ResourceHandle | undefined;
  /**
   * Firewall objects created before the machines and attached at creation (AWS security
   * groups); clouds whose firewalls reference machines return an empty map.
   */
  preFirewalls(ctx: CloudContext, net: NetworkHandles): Map<string, ResourceHandle>;
  machine(ctx: CloudContext, net: NetworkHandles, machine: MachinePlan, key: ResourceHandle | undefined, preFirewalls: Map<string, ResourceHandle>): MachineHandles;
  /**
   * The rules themselves, once machine addresses can be referenced. Returns the objects that
   * carry each rule (group name → rule id → objects), so that remote steps can wait for the
   * rule that lets the deploy in (a new operator address is allowed before a step uses it).
   */
  firewallRules(ctx: CloudContext, net: NetworkHandles, groups: FirewallGroup[], sources: SourceAddresses, preFirewalls: Map<string, ResourceHandle>, lb?: LoadBalancerHandles): FirewallHandles;
  loadBalancer(ctx: CloudContext, net: NetworkHandles, name: string, targets: MachineHandles[], ports: readonly number[]): LoadBalancerHandles;
}

/** The cloud firewall objects carrying each rule: group name → rule id → objects. */
export type FirewallHandles = Map<string, Map<string, ResourceHandle[]>>;

/** Every rule of a group carried by one firewall object (DigitalOcean, Linode, Hetzner). */
export function wholeGroup(group: FirewallGroup, firewall: ResourceHandle): Map<string, ResourceHandle[]> {
  return new Map(group.rules.map((r) => [r.id, [firewall]]));
}

/** Machines of one cloud that share the same public rules (masters, workers, bastion …). */
export interface FirewallGroup {
  /** Stable name: `bastion`, `masters`, `workers`, `masters-workers` … */
  name: string;
  machines: MachineHandles[];
  rules: FirewallRule[];
}

/** Which DNS provider hosts records, and how it declares one record set. */
export interface DnsMapping {
  readonly name: DnsProvider;
  readonly resourceTypes: Readonly<Record<string, readonly string[]>>;
  record(graph: ResourceDeclarer, provider: ResourceHandle, zone: string, name: string, type: 'A' | 'CNAME', values: InputValue[], logicalName: string): ResourceHandle;
}
