// Hetzner Cloud: a network with one cloud subnet, servers attached to it, firewalls
// applied by label selector, and a load balancer on the private network.
//
// Contract with src/providers/hetzner:
//   hcloud:index/network:Network           {name, ipRange, labels} → {id}
//   hcloud:index/networkSubnet:NetworkSubnet {networkId, type:'cloud', networkZone, ipRange} → {id}
//   hcloud:index/sshKey:SshKey             {name, publicKey, labels} → {id}
//   hcloud:index/placementGroup:PlacementGroup {name, type:'spread', labels} → {id}   (the masters spread over hosts)
//   hcloud:index/server:Server             {name, serverType, image, location, sshKeys, userData (secret), labels,
//                                           publicNets:{ipv4Enabled, ipv6Enabled}, networks:[{networkId, subnetId}],
//                                           placementGroupId (masters)} → {id, ipv4Address, privateIp (its address on the network)}
//   hcloud:index/firewall:Firewall         {name, labels, applyTo:[{labelSelector}], rules:[{direction:'in', protocol, port?,
//                                           sourceIps, addresses, description}]} → {id}
//     (`addresses` are single IPs the provider writes as /32 or /128)
//   hcloud:index/loadBalancer:LoadBalancer {name, loadBalancerType, location, labels} → {id, ipv4}
//   hcloud:index/loadBalancerNetwork:LoadBalancerNetwork {loadBalancerId, networkId} → {id, ip}
//   hcloud:index/loadBalancerService:LoadBalancerService {loadBalancerId, protocol:'tcp', listenPort, destinationPort} → {id}
//   hcloud:index/loadBalancerTarget:LoadBalancerTarget {loadBalancerId, type:'label_selector', labelSelector, usePrivateIp:true} → {id}
//     (private targets need the balancer on the network: the target takes its balancer id from the attachment)
import type { InputValue } from '../../engine/index.ts';
import { wholeGroup, type CloudContext, type CloudMapping, type FirewallHandles, type NetworkHandles, type SourceAddresses } from './types.ts';
import type { RuleSource } from '../firewall/rules.ts';
import { firewallGroupOf, firewallName, once } from './groups.ts';
import { ClusterPlanError } from '../errors.ts';

export const DEFAULT_IMAGE = 'ubuntu-24.04';

/** Network zone of a Hetzner location (networks span a zone). */
export function networkZone(location: string): string {
  const prefix = location.replace(/[0-9-].*$/, '');
  const zones: Record<string, string> = { fsn: 'eu-central', nbg: 'eu-central', hel: 'eu-central', ash: 'us-east', hil: 'us-west', sin: 'ap-southeast' };
  const zone = zones[prefix];
  if (!zone) throw new ClusterPlanError(`unknown Hetzner location '${location}'`, { hint: 'Use one of fsn1, nbg1, hel1, ash, hil, sin.' });
  return zone;
}

const labelValue = (v: string) => v.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63);
function labels(ctx: CloudContext, extra: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...ctx.tags, ...extra }).map(([k, v]) => [k.replace(/[^A-Za-z0-9_./-]/g, '-'), labelValue(v)]));
}
const selector = (ctx: CloudContext, group: string) => `sloth-kubernetes/cluster=${labelValue(ctx.model.name)},sloth-kubernetes/stack=${labelValue(ctx.model.stack)},sloth-kubernetes/group=${group}`;

function ruleSources(sources: readonly RuleSource[], net: { cidr: string }, addrs: SourceAddresses, hasLb: boolean): { sourceIps: InputValue[]; addresses: InputValue[] } {
  const out = { sourceIps: [] as InputValue[], addresses: [] as InputValue[] };
  for (const s of sources) {
    if (s.kind === 'cidr') out.sourceIps.push(s.cidr);
    else if (s.kind === 'mesh') {
      if (addrs.localMesh) out.sourceIps.push(net.cidr);
      out.addresses.push(...addrs.remoteMesh.map((r) => r.address));
    } else if (s.kind === 'bastion' && addrs.bastion) out.addresses.push(addrs.bastion);
    else if (s.kind === 'load-balancer' && hasLb) out.sourceIps.push(net.cidr); // the balancer reaches targets over the network
  }
  return out;
}

export const hetzner: CloudMapping = {
  name: 'hetzner',
  credentialKeys: ['token'],
  resourceTypes: {
    'hcloud:index/network:Network': ['ipRange'],
    'hcloud:index/networkSubnet:NetworkSubnet': ['networkId', 'type', 'networkZone', 'ipRange'],
    'hcloud:index/sshKey:SshKey': ['publicKey'],
    'hcloud:index/placementGroup:PlacementGroup': ['type'],
    'hcloud:index/server:Server': ['image', 'location', 'sshKeys', 'userData', 'networks', 'publicNets', 'placementGroupId'],
    'hcloud:index/firewall:Firewall': [],
    'hcloud:index/loadBalancer:LoadBalancer': ['location', 'loadBalancerType'],
    'hcloud:index/loadBalancerNetwork:LoadBalancerNetwork': ['loadBalancerId', 'networkId'],
    'hcloud:index/loadBalancerService:LoadBalancerService': ['loadBalancerId', 'listenPort'],
    'hcloud:index/loadBalancerTarget:LoadBalancerTarget': ['loadBalancerId', 'labelSelector'],
  },

  network(ctx): NetworkHandles {
    const n = ctx.settings.network;
    if (!n.create) return { refs: { network: n.id! }, cidr: n.cidr };
    const network = ctx.graph.resource('hcloud:index/network:Network', n.name, { name: n.name, ipRange: n.cidr, labels: labels(ctx) }, { provider: ctx.provider });
    const subnet = ctx.graph.resource(
      'hcloud:index/networkSubnet:NetworkSubnet',
      `${n.name}-${networkZone(ctx.settings.region)}`,
      { networkId: network.output('id'), type: 'cloud', networkZone: networkZone(ctx.settings.region), ipRange: n.cidr },
      { provider: ctx.provider },
    );
    // Servers attach once the subnet exists; the id carries that dependency.
    return { refs: { network: network.output('id'), subnet: subnet.output('id') }, cidr: n.cidr };
  },

  sshKey(ctx, publicKey) {
    return ctx.graph.resource('hcloud:index/sshKey:SshKey', `${ctx.model.name}-deploy`, { name: `${ctx.model.name}-${ctx.model.stack}-deploy`, publicKey, labels: labels(ctx) }, { provider: ctx.provider });
  },

  preFirewalls() {
    return new Map();
  },

  machine(ctx, net, m, key) {
    const group = firewallGroupOf(m);
    const master = m.node?.roles.includes('master') ?? false;
    // Masters share a spread placement group: each on its own physical host.
    const placement = master
      ? once(ctx, 'placement-group', () => ctx.graph.resource('hcloud:index/placementGroup:PlacementGroup', `${ctx.model.name}-masters`, { name: `${ctx.model.name}-${ctx.model.stack}-masters`, type: 'spread', labels: labels(ctx) }, { provider: ctx.provider }))
      : undefined;
    const resource = ctx.graph.resource(
      'hcloud:index/server:Server',
      m.name,
      {
        name: m.name,
        serverType: m.kind === 'bastion' ? ctx.model.bastion!.size : m.node!.size,
        image: (m.kind === 'bastion' ? ctx.model.bastion!.image : m.node!.image) ?? DEFAULT_IMAGE,
        location: ctx.settings.region,
        sshKeys: [key!.output('id')],
        userData: m.userData,
        labels: labels(ctx, { 'sloth-kubernetes/group': group, ...(master ? { 'sloth-kubernetes/api': 'true' } : {}) }),
        publicNets: { ipv4Enabled: true, ipv6Enabled: true },
        networks: [{ networkId: net.refs['network']!, subnetId: net.refs['subnet'] ?? null }],
        ...(placement ? { placementGroupId: placement.output('id') } : {}),
      },
      { provider: ctx.provider, secretInputs: ['userData'] },
    );
    return { machine: m, resource, id: resource.output('id'), publicAddress: resource.output('ipv4Address'), privateAddress: resource.output('privateIp') };
  },

  firewallRules(ctx, net, groups, sources, _pre, lb) {
    const handles: FirewallHandles = new Map();
    for (const group of groups) {
      const name = firewallName(ctx, group.name);
      const firewall = ctx.graph.resource(
        'hcloud:index/firewall:Firewall',
        name,
        {
          name,
          labels: labels(ctx),
          applyTo: [{ labelSelector: selector(ctx, group.name) }],
          rules: group.rules.map((r) => ({
            direction: 'in',
            protocol: r.protocol,
            ...(r.ports ? { port: r.ports.from === r.ports.to ? String(r.ports.from) : `${r.ports.from}-${r.ports.to}` } : {}),
            ...ruleSources(r.sources, net, sources, lb !== undefined),
            description: r.description,
          })),
        },
        { provider: ctx.provider },
      );
      handles.set(group.name, wholeGroup(group, firewall));
    }
    return handles;
  },

  loadBalancer(ctx, net, name, _targets, ports) {
    const lb = ctx.graph.resource('hcloud:index/loadBalancer:LoadBalancer', name, { name, loadBalancerType: 'lb11', location: ctx.settings.region, labels: labels(ctx) }, { provider: ctx.provider });
    const attached = ctx.graph.resource('hcloud:index/loadBalancerNetwork:LoadBalancerNetwork', `${name}-network`, { loadBalancerId: lb.output('id'), networkId: net.refs['network']! }, { provider: ctx.provider });
    for (const port of ports) {
      ctx.graph.resource('hcloud:index/loadBalancerService:LoadBalancerService', `${name}-${port}`, { loadBalancerId: lb.output('id'), protocol: 'tcp', listenPort: port, destinationPort: port }, { provider: ctx.provider });
    }
    ctx.graph.resource(
      'hcloud:index/loadBalancerTarget:LoadBalancerTarget',
      `${name}-masters`,
      { loadBalancerId: attached.output('loadBalancerId'), type: 'label_selector', labelSelector: `sloth-kubernetes/cluster=${labelValue(ctx.model.name)},sloth-kubernetes/stack=${labelValue(ctx.model.stack)},sloth-kubernetes/api=true`, usePrivateIp: true },
      { provider: ctx.provider },
    );
    return { resource: lb, address: lb.output('ipv4'), addressKind: 'ipv4' };
  },
};
