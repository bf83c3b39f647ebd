// Google Cloud: a custom-mode VPC network with one subnetwork, one ingress firewall rule per
// firewall-group rule (targeting the group's network tag), instances, a regional external
// load balancer (static address, target pool, forwarding rule per port) in front of the API,
// and Cloud DNS records. Network, firewall and instance names are project-wide in GCP: every
// name carries the cluster and stack, so clusters never collide.
//
// Contract with src/providers/gcp (inputs the provider reads, outputs the graph references):
//   gcp:compute/network:Network            {name} → {id, selfLink}   (custom subnet mode)
//   gcp:compute/subnetwork:Subnetwork      {name, region, network (selfLink), ipCidrRange} → {id, selfLink}
//   gcp:compute/firewall:Firewall          {name, network, protocol ('tcp'|'udp'|'icmp'), ports (['22'], ['30000-32767'] or []),
//                                           sourceRanges (CIDRs), addresses (single IPs, written as /32), targetTags, description} → {id}
//   gcp:compute/instance:Instance          {name, zone, machineType, image, subnetwork, networkTags, labels, sshUser, sshPublicKey
//                                           (metadata `ssh-keys` as 'user:key'), userData (secret; metadata `user-data`)} → {id, selfLink, publicIp, privateIp}
//     (with an external IPv4 address; user data and keys are instance metadata)
//   gcp:compute/address:Address            {name, region, labels} → {id, address}   (external, regional)
//   gcp:compute/targetPool:TargetPool      {name, region, instances (selfLinks)} → {id, selfLink}
//   gcp:compute/forwardingRule:ForwardingRule {name, region, ipAddress, port, target (pool selfLink), labels} → {id}
//   gcp:dns/recordSet:RecordSet            {zone (DNS name), name (absolute, with the final dot), type, ttl, rrdatas} → {id}
//     (the managed zone is found by its DNS name in the project)
import { createHash } from 'node:crypto';
import type { InputValue, ResourceHandle } from '../../engine/index.ts';
import type { RuleSource } from '../firewall/rules.ts';
import type { CloudContext, CloudMapping, DnsMapping, FirewallHandles, NetworkHandles, SourceAddresses } from './types.ts';
import { firewallGroupOf, firewallName } from './groups.ts';

/** Canonical's Ubuntu 24.04 LTS image family. */
export const DEFAULT_IMAGE = 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64';

/**
 * A GCP name (RFC 1035: lower-case letters, digits and `-`, a letter first, at most 63): the
 * parts joined by `-`; a longer one keeps its start and ends with a hash of the whole.
 */
export function gcpName(...parts: string[]): string {
  let name = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  if (!/^[a-z]/.test(name)) name = `s-${name}`;
  if (name.length > 63) name = `${name.slice(0, 54)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return name.replace(/-+$/, '');
}

/** Label keys and values: lower-case letters, digits, `_` and `-`, at most 63. */
export function gcpLabels(tags: Record<string, string>): Record<string, string> {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [/^[a-z]/.test(clean(k)) ? clean(k) : `k${clean(k)}`.slice(0, 63), clean(v)]));
}

const named = (ctx: CloudContext, ...parts: string[]) => gcpName(ctx.model.name, ctx.model.stack, ...parts);
/** The network tag a firewall group's rules target. */
const groupTag = (ctx: CloudContext, group: string) => named(ctx, group);

function ruleSources(sources: readonly RuleSource[], net: NetworkHandles, addrs: SourceAddresses): { sourceRanges: InputValue[]; addresses: InputValue[] } {
  const out = { sourceRanges: [] as InputValue[], addresses: [] as InputValue[] };
  for (const s of sources) {
    if (s.kind === 'cidr') out.sourceRanges.push(s.cidr);
    else if (s.kind === 'mesh') {
      if (addrs.localMesh) out.sourceRanges.push(net.cidr);
      out.addresses.push(...addrs.remoteMesh.map((r) => r.address));
    } else if (s.kind === 'bastion' && addrs.bastion) out.addresses.push(addrs.bastion);
    // 'load-balancer': a target pool forwards packets with the client's address; it has no
    // health check here, so nothing else needs to come in.
  }
  return out;
}

/**
 * Names are the objects' identity in the cloud: a change that replaces an object deletes the
 * old one first (a create with the same name would reach the old object).
 */
const at = (ctx: CloudContext) => ({ provider: ctx.provider, deleteBeforeReplace: true });

export const gcp: CloudMapping = {
  name: 'gcp',
  credentialKeys: ['credentials'],
  resourceTypes: {
    'gcp:compute/network:Network': ['name'],
    'gcp:compute/subnetwork:Subnetwork': ['name', 'region', 'network', 'ipCidrRange'],
    'gcp:compute/firewall:Firewall': ['name', 'network'],
    'gcp:compute/instance:Instance': ['name', 'zone', 'machineType', 'image', 'subnetwork', 'userData', 'sshUser', 'sshPublicKey'],
    'gcp:compute/address:Address': ['name', 'region'],
    'gcp:compute/targetPool:TargetPool': ['name', 'region'],
    'gcp:compute/forwardingRule:ForwardingRule': ['name', 'region', 'ipAddress', 'port', 'target'],
  },

  network(ctx) {
    const n = ctx.settings.network;
    const network = ctx.graph.resource('gcp:compute/network:Network', n.name, { name: named(ctx, 'net') }, at(ctx));
    const subnet = ctx.graph.resource(
      'gcp:compute/subnetwork:Subnetwork',
      `${n.name}-nodes`,
      { name: named(ctx, 'nodes'), region: ctx.settings.region, network: network.output('selfLink'), ipCidrRange: n.cidr },
      at(ctx),
    );
    return { refs: { network: network.output('selfLink'), subnetwork: subnet.output('selfLink') }, cidr: n.cidr };
  },

  // GCP takes SSH keys as instance metadata: there is no key object to make.
  sshKey() {
    return undefined;
  },

  preFirewalls() {
    return new Map();
  },

  machine(ctx, net, m) {
    const resource = ctx.graph.resource(
      'gcp:compute/instance:Instance',
      m.name,
      {
        name: named(ctx, m.name),
        // A pool's zones (round-robin) or a node's zone, else the provider's.
        zone: m.node?.zone ?? ctx.settings.zone!,
        machineType: m.kind === 'bastion' ? ctx.model.bastion!.size : m.node!.size,
        image: (m.kind === 'bastion' ? ctx.model.bastion!.image : m.node!.image) ?? DEFAULT_IMAGE,
        subnetwork: net.refs['subnetwork']!,
        networkTags: [groupTag(ctx, firewallGroupOf(m))],
        labels: gcpLabels({ ...ctx.tags, 'sloth-kubernetes/role': m.kind === 'bastion' ? 'bastion' : m.node!.roles.join('-') }),
        sshUser: ctx.model.ssh.user,
        sshPublicKey: ctx.deployPublicKey,
        userData: m.userData,
      },
      { ...at(ctx), secretInputs: ['userData'] },
    );
    return { machine: m, resource, id: resource.output('id'), publicAddress: resource.output('publicIp'), privateAddress: resource.output('privateIp') };
  },

  firewallRules(ctx, net, groups, sources) {
    const handles: FirewallHandles = new Map();
    for (const g of groups) {
      const byRule = new Map<string, ResourceHandle[]>();
      handles.set(g.name, byRule);
      for (const rule of g.rules) {
        const from = ruleSources(rule.sources, net, sources);
        // GCP needs a source; a rule without one lets nothing in anyway.
        if (from.sourceRanges.length === 0 && from.addresses.length === 0) continue;
        const name = named(ctx, g.name, rule.id);
        byRule.set(rule.id, [
          ctx.graph.resource(
            'gcp:compute/firewall:Firewall',
            `${firewallName(ctx, g.name)}-${rule.id}`,
            {
              name,
              network: net.refs['network']!,
              protocol: rule.protocol,
              ports: rule.ports ? [rule.ports.from === rule.ports.to ? String(rule.ports.from) : `${rule.ports.from}-${rule.ports.to}`] : [],
              ...from,
              targetTags: [groupTag(ctx, g.name)],
              description: rule.description.slice(0, 2048),
            },
            at(ctx),
          ),
        ]);
      }
    }
    return handles;
  },

  loadBalancer(ctx, _net, name, targets, ports) {
    const where = at(ctx);
    const region = ctx.settings.region;
    const labels = gcpLabels(ctx.tags);
    const address = ctx.graph.resource('gcp:compute/address:Address', `${name}-ip`, { name: named(ctx, name, 'ip'), region, labels }, where);
    const pool = ctx.graph.resource('gcp:compute/targetPool:TargetPool', name, { name: named(ctx, name), region, instances: targets.map((t) => t.resource.output('selfLink')) }, where);
    // The balancer is ready once its forwarding rules are: readiness waits for them.
    const rules = ports.map((port) =>
      ctx.graph.resource(
        'gcp:compute/forwardingRule:ForwardingRule',
        `${name}-${port}`,
        { name: named(ctx, name, String(port)), region, ipAddress: address.output('address'), port, target: pool.output('selfLink'), labels },
        where,
      ),
    );
    return { resource: rules[0]!, address: address.output('address'), addressKind: 'ipv4' };
  },
};

export const cloudDns: DnsMapping = {
  name: 'gcp',
  resourceTypes: { 'gcp:dns/recordSet:RecordSet': ['zone', 'name', 'type'] },
  record(graph, provider, zone, name, type, values, logicalName) {
    return graph.resource('gcp:dns/recordSet:RecordSet', logicalName, { zone: `${zone}.`, name: `${name}.`, type, ttl: 300, rrdatas: values }, { provider });
  },
};
