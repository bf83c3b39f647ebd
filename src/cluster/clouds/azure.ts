// Azure: one resource group per cluster (everything else lives in it, so names never collide
// between clusters), a virtual network with one subnet, a network security group per firewall
// group attached to the machines' interfaces, a static public IP and an interface per
// machine, Linux VMs, a Standard load balancer in front of the API, and Azure DNS records.
//
// Contract with src/providers/azure (inputs the provider reads, outputs the graph references):
//   azure:core/resourceGroup:ResourceGroup {name, location, tags} → {id, name}
//   azure:network/virtualNetwork:VirtualNetwork {resourceGroupName, name, location, addressSpaces, tags} → {id, name}
//   azure:network/subnet:Subnet            {resourceGroupName, virtualNetworkName, name, addressPrefix} → {id}
//   azure:network/networkSecurityGroup:NetworkSecurityGroup {resourceGroupName, name, location, tags} → {id, name}
//   azure:network/networkSecurityRule:NetworkSecurityRule {resourceGroupName, networkSecurityGroupName, name, priority,
//                                           protocol ('Tcp'|'Udp'|'Icmp'), destinationPortRange ('*', '22', '30000-32767'),
//                                           sourceAddressPrefixes (CIDRs), addresses (single IPs, written as /32 or /128), description} → {id}
//     (inbound Allow rules; Azure's default rules already allow the virtual network and the load balancer's probes)
//   azure:network/publicIp:PublicIp        {resourceGroupName, name, location, tags} → {id, ipAddress}   (Standard SKU, static)
//   azure:network/networkInterface:NetworkInterface {resourceGroupName, name, location, subnetId, publicIpAddressId,
//                                           networkSecurityGroupId, tags} → {id, privateIpAddress}
//   azure:compute/virtualMachine:VirtualMachine {resourceGroupName, name, location, vmSize, networkInterfaceId, adminUsername,
//                                           sshPublicKey, image ('publisher:offer:sku:version' or an image resource id),
//                                           customData (secret), tags} → {id, vmId, publicIp, privateIp}
//     (SSH keys only, password login disabled; the user data is cloud-init's, sent as custom data)
//   azure:network/loadBalancer:LoadBalancer {resourceGroupName, name, location, publicIpAddressId, virtualNetworkId, ports,
//                                           backends:[{name, ipAddress}], tags} → {id}
//     (Standard SKU; one frontend, one backend pool of private addresses, a TCP probe and rule per port)
//   azure:dns/recordSet:RecordSet          {zoneName, name, type ('A'|'CNAME'), ttl, records} → {id, fqdn}
//     (the zone is found by name in the subscription)
import { isIPv6 } from 'node:net';
import type { InputValue, ResourceHandle } from '../../engine/index.ts';
import type { RuleSource } from '../firewall/rules.ts';
import type { CloudContext, CloudMapping, DnsMapping, FirewallHandles, NetworkHandles, SourceAddresses } from './types.ts';
import { firewallGroupNames, firewallGroupOf, firewallName, once } from './groups.ts';

/** Canonical's Ubuntu 24.04 LTS image (publisher:offer:sku:version). */
export const DEFAULT_IMAGE = 'Canonical:ubuntu-24_04-lts:server:latest';

/** Azure names allow letters, digits, `-`, `_` and `.` (80 characters in a resource group). */
const azName = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 80);

/** Tag names may not hold `<>%&\?/`: our `sloth-kubernetes/…` keys become `sloth-kubernetes.…`. */
export function azureTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.replace(/[<>%&\\?/]/g, '.'), v.slice(0, 256)]));
}

const group = (ctx: CloudContext): ResourceHandle =>
  once(ctx, 'resource-group', () =>
    ctx.graph.resource('azure:core/resourceGroup:ResourceGroup', ctx.settings.resourceGroup!, { name: azName(ctx.settings.resourceGroup!), location: ctx.settings.region, tags: azureTags(ctx.tags) }, at(ctx)),
  );
const rg = (ctx: CloudContext): InputValue => group(ctx).output('name');
const base = (ctx: CloudContext) => ({ resourceGroupName: rg(ctx), location: ctx.settings.region, tags: azureTags(ctx.tags) });

/**
 * NSG rule priorities (100–3999 of Azure's 100–4096, unique in a group): a hash of the rule id, moved to the next
 * free value on a collision, so adding or removing a rule leaves the others' priorities alone.
 */
export function rulePriorities(ids: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const id of [...ids].sort()) {
    let h = 2166136261;
    for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    let p = 100 + (h % 3900);
    while (used.has(p)) p = p === 3999 ? 100 : p + 1;
    used.add(p);
    out.set(id, p);
  }
  return out;
}

function ruleSources(sources: readonly RuleSource[], net: NetworkHandles, addrs: SourceAddresses): { sourceAddressPrefixes: InputValue[]; addresses: InputValue[] } {
  const out = { sourceAddressPrefixes: [] as InputValue[], addresses: [] as InputValue[] };
  for (const s of sources) {
    // The network is IPv4 only (machines have no IPv6 address), and Azure refuses a rule
    // that mixes the families: IPv6 sources could reach nothing here.
    if (s.kind === 'cidr') {
      if (!isIPv6(s.cidr.split('/')[0]!)) out.sourceAddressPrefixes.push(s.cidr);
    } else if (s.kind === 'mesh') {
      if (addrs.localMesh) out.sourceAddressPrefixes.push(net.cidr);
      out.addresses.push(...addrs.remoteMesh.map((r) => r.address));
    } else if (s.kind === 'bastion' && addrs.bastion) out.addresses.push(addrs.bastion);
    // 'load-balancer': a Standard load balancer keeps the client's address, and its probes
    // come from AzureLoadBalancer, which Azure's default rules allow.
  }
  return out;
}

const protocolOf = (p: string) => (p === 'tcp' ? 'Tcp' : p === 'udp' ? 'Udp' : 'Icmp');

/**
 * Names are the objects' identity in the cloud: a change that replaces an object deletes the
 * old one first (a create with the same name would reach the old object).
 */
const at = (ctx: CloudContext) => ({ provider: ctx.provider, deleteBeforeReplace: true });

export const azure: CloudMapping = {
  name: 'azure',
  credentialKeys: ['clientSecret'],
  resourceTypes: {
    'azure:core/resourceGroup:ResourceGroup': ['name', 'location'],
    'azure:network/virtualNetwork:VirtualNetwork': ['resourceGroupName', 'name', 'location'],
    'azure:network/subnet:Subnet': ['resourceGroupName', 'virtualNetworkName', 'name'],
    'azure:network/networkSecurityGroup:NetworkSecurityGroup': ['resourceGroupName', 'name', 'location'],
    'azure:network/networkSecurityRule:NetworkSecurityRule': ['resourceGroupName', 'networkSecurityGroupName', 'name'],
    'azure:network/publicIp:PublicIp': ['resourceGroupName', 'name', 'location'],
    'azure:network/networkInterface:NetworkInterface': ['resourceGroupName', 'name', 'location', 'subnetId'],
    'azure:compute/virtualMachine:VirtualMachine': ['resourceGroupName', 'name', 'location', 'networkInterfaceId', 'adminUsername', 'sshPublicKey', 'image', 'customData'],
    'azure:network/loadBalancer:LoadBalancer': ['resourceGroupName', 'name', 'location'],
  },

  network(ctx) {
    const n = ctx.settings.network;
    const vnet = ctx.graph.resource('azure:network/virtualNetwork:VirtualNetwork', n.name, { ...base(ctx), name: azName(n.name), addressSpaces: [n.cidr] }, at(ctx));
    const subnet = ctx.graph.resource('azure:network/subnet:Subnet', `${n.name}-nodes`, { resourceGroupName: rg(ctx), virtualNetworkName: vnet.output('name'), name: 'nodes', addressPrefix: n.cidr }, at(ctx));
    return { refs: { vnet: vnet.output('id'), subnet: subnet.output('id') }, cidr: n.cidr };
  },

  // Azure takes the public key on each VM (osProfile): there is no key object to make.
  sshKey() {
    return undefined;
  },

  preFirewalls(ctx) {
    const groups = new Map<string, ResourceHandle>();
    for (const g of firewallGroupNames(ctx)) {
      const name = firewallName(ctx, g);
      groups.set(g, ctx.graph.resource('azure:network/networkSecurityGroup:NetworkSecurityGroup', name, { ...base(ctx), name: azName(name) }, at(ctx)));
    }
    return groups;
  },

  machine(ctx, net, m, _key, pre) {
    const where = at(ctx);
    const ip = ctx.graph.resource('azure:network/publicIp:PublicIp', `${m.name}-ip`, { ...base(ctx), name: azName(`${m.name}-ip`) }, where);
    const nic = ctx.graph.resource(
      'azure:network/networkInterface:NetworkInterface',
      `${m.name}-nic`,
      { ...base(ctx), name: azName(`${m.name}-nic`), subnetId: net.refs['subnet']!, publicIpAddressId: ip.output('id'), networkSecurityGroupId: pre.get(firewallGroupOf(m))!.output('id') },
      where,
    );
    const resource = ctx.graph.resource(
      'azure:compute/virtualMachine:VirtualMachine',
      m.name,
      {
        ...base(ctx),
        name: azName(m.name),
        vmSize: m.kind === 'bastion' ? ctx.model.bastion!.size : m.node!.size,
        networkInterfaceId: nic.output('id'),
        adminUsername: ctx.model.ssh.user,
        sshPublicKey: ctx.deployPublicKey,
        image: (m.kind === 'bastion' ? ctx.model.bastion!.image : m.node!.image) ?? DEFAULT_IMAGE,
        customData: m.userData,
        tags: azureTags({ ...ctx.tags, 'sloth-kubernetes/role': m.kind === 'bastion' ? 'bastion' : m.node!.roles.join('-') }),
      },
      { ...where, secretInputs: ['customData'] },
    );
    return { machine: m, resource, id: resource.output('id'), publicAddress: resource.output('publicIp'), privateAddress: resource.output('privateIp') };
  },

  firewallRules(ctx, net, groups, sources, pre) {
    const handles: FirewallHandles = new Map();
    for (const g of groups) {
      const nsg = pre.get(g.name)!;
      const priorities = rulePriorities(g.rules.map((r) => r.id));
      const byRule = new Map<string, ResourceHandle[]>();
      handles.set(g.name, byRule);
      for (const rule of g.rules) {
        const from = ruleSources(rule.sources, net, sources);
        // A rule with no source lets nothing in, and Azure refuses it.
        if (from.sourceAddressPrefixes.length === 0 && from.addresses.length === 0) continue;
        byRule.set(rule.id, [
          ctx.graph.resource(
            'azure:network/networkSecurityRule:NetworkSecurityRule',
            `${nsg.name}-${rule.id}`,
            {
              resourceGroupName: rg(ctx),
              networkSecurityGroupName: nsg.output('name'),
              name: azName(rule.id),
              priority: priorities.get(rule.id)!,
              protocol: protocolOf(rule.protocol),
              destinationPortRange: rule.ports ? (rule.ports.from === rule.ports.to ? String(rule.ports.from) : `${rule.ports.from}-${rule.ports.to}`) : '*',
              ...from,
              description: rule.description.slice(0, 140),
            },
            at(ctx),
          ),
        ]);
      }
    }
    return handles;
  },

  loadBalancer(ctx, net, name, targets, ports) {
    const where = at(ctx);
    const ip = ctx.graph.resource('azure:network/publicIp:PublicIp', `${name}-ip`, { ...base(ctx), name: azName(`${name}-ip`) }, where);
    const resource = ctx.graph.resource(
      'azure:network/loadBalancer:LoadBalancer',
      name,
      { ...base(ctx), name: azName(name), publicIpAddressId: ip.output('id'), virtualNetworkId: net.refs['vnet']!, ports: [...ports], backends: targets.map((t) => ({ name: azName(t.machine.name), ipAddress: t.privateAddress })) },
      where,
    );
    return { resource, address: ip.output('ipAddress'), addressKind: 'ipv4' };
  },
};

export const azureDns: DnsMapping = {
  name: 'azure',
  resourceTypes: { 'azure:dns/recordSet:RecordSet': ['zoneName', 'name', 'type'] },
  record(graph, provider, zone, name, type, values, logicalName) {
    return graph.resource('azure:dns/recordSet:RecordSet', logicalName, { zoneName: zone, name: name === zone ? '@' : name.slice(0, -(zone.length + 1)), type, ttl: 300, records: values }, { provider });
  },
};
