// Linode (Akamai): a VPC with one subnet, instances with a public and a VPC interface,
// Cloud Firewalls attached to the instances, and a NodeBalancer in front of the API.
//
// Contract with src/providers/linode:
//   linode:index/vpc:Vpc                   {label, region} → {id}
//   linode:index/vpcSubnet:VpcSubnet       {vpcId, label, ipv4} → {id}
//   linode:index/sshKey:SshKey             {label, sshKey} → {id}
//   linode:index/instance:Instance         {label, region, type, image, authorizedKeys, userData (secret; the provider sends it
//                                           base64-encoded as metadata.user_data), interfaces:[{purpose:'public'},
//                                           {purpose:'vpc', subnetId}], privateIp:true, tags}
//                                          → {id, ipAddress, privateIpAddress (the VPC address), privateIpv4 (the 192.168 address)}
//   linode:index/firewall:Firewall         {label, inboundPolicy:'DROP', outboundPolicy:'ACCEPT', inbounds:[{label, action:'ACCEPT',
//                                           protocol, ports?, ipv4s, ipv6s, addresses}], linodes, tags} → {id}
//     (`addresses` are single IPs the provider writes as /32 or /128)
//   linode:index/nodeBalancer:NodeBalancer {label, region, tags} → {id, ipv4}
//   linode:index/nodeBalancerConfig:NodeBalancerConfig {nodebalancerId, port, protocol:'tcp', check:'connection'} → {id}
//   linode:index/nodeBalancerNode:NodeBalancerNode {nodebalancerId, configId, label, address, port} → {id}
//     (NodeBalancers reach back ends only at their private 192.168 address: `address` is the instance's privateIpv4)
//   linode:index/domainRecord:DomainRecord {domain, type, name, target, ttl} → {id, fqdn}
import { isIPv6 } from 'node:net';
import type { InputValue } from '../../engine/index.ts';
import { wholeGroup, type CloudMapping, type DnsMapping, type FirewallHandles, type SourceAddresses } from './types.ts';
import type { RuleSource } from '../firewall/rules.ts';
import { firewallName } from './groups.ts';

export const DEFAULT_IMAGE = 'linode/ubuntu24.04';
/** NodeBalancers reach their back ends from this range (Linode documentation). */
export const NODEBALANCER_RANGE = '192.168.255.0/24';

const label = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 64);

function inboundSources(sources: readonly RuleSource[], net: { cidr: string }, addrs: SourceAddresses, hasLb: boolean): { ipv4s: InputValue[]; ipv6s: InputValue[]; addresses: InputValue[] } {
  const out = { ipv4s: [] as InputValue[], ipv6s: [] as InputValue[], addresses: [] as InputValue[] };
  for (const s of sources) {
    if (s.kind === 'cidr') (isIPv6(s.cidr.split('/')[0]!) ? out.ipv6s : out.ipv4s).push(s.cidr);
    else if (s.kind === 'mesh') {
      if (addrs.localMesh) out.ipv4s.push(net.cidr);
      out.addresses.push(...addrs.remoteMesh.map((r) => r.address));
    } else if (s.kind === 'bastion' && addrs.bastion) out.addresses.push(addrs.bastion);
    else if (s.kind === 'load-balancer' && hasLb) out.ipv4s.push(NODEBALANCER_RANGE);
  }
  return out;
}

export const linode: CloudMapping = {
  name: 'linode',
  credentialKeys: ['token'],
  resourceTypes: {
    'linode:index/vpc:Vpc': ['region'],
    'linode:index/vpcSubnet:VpcSubnet': ['vpcId', 'ipv4'],
    'linode:index/sshKey:SshKey': ['sshKey'],
    'linode:index/instance:Instance': ['region', 'image', 'authorizedKeys', 'userData', 'interfaces', 'privateIp'],
    'linode:index/firewall:Firewall': [],
    'linode:index/nodeBalancer:NodeBalancer': ['region'],
    'linode:index/nodeBalancerConfig:NodeBalancerConfig': ['nodebalancerId', 'port'],
    'linode:index/nodeBalancerNode:NodeBalancerNode': ['nodebalancerId', 'configId'],
    'linode:index/domainRecord:DomainRecord': ['domain', 'type', 'name'],
  },

  network(ctx) {
    const n = ctx.settings.network;
    if (!n.create) return { refs: { subnet: n.id! }, cidr: n.cidr };
    const vpc = ctx.graph.resource('linode:index/vpc:Vpc', n.name, { label: label(n.name), region: ctx.settings.region }, { provider: ctx.provider });
    const subnet = ctx.graph.resource('linode:index/vpcSubnet:VpcSubnet', `${n.name}-nodes`, { vpcId: vpc.output('id'), label: 'nodes', ipv4: n.cidr }, { provider: ctx.provider });
    return { refs: { subnet: subnet.output('id') }, cidr: n.cidr };
  },

  sshKey(ctx, publicKey) {
    return ctx.graph.resource('linode:index/sshKey:SshKey', `${ctx.model.name}-deploy`, { label: label(`${ctx.model.name}-${ctx.model.stack}-deploy`), sshKey: publicKey }, { provider: ctx.provider });
  },

  preFirewalls() {
    return new Map();
  },

  machine(ctx, net, m, _key) {
    const resource = ctx.graph.resource(
      'linode:index/instance:Instance',
      m.name,
      {
        label: label(m.name),
        region: ctx.settings.region,
        type: m.kind === 'bastion' ? ctx.model.bastion!.size : m.node!.size,
        image: (m.kind === 'bastion' ? ctx.model.bastion!.image : m.node!.image) ?? DEFAULT_IMAGE,
        // Linode injects authorized keys for root; our login user gets the deploy key from user-data.
        authorizedKeys: [],
        userData: m.userData,
        interfaces: [{ purpose: 'public' }, { purpose: 'vpc', subnetId: net.refs['subnet']! }],
        // The API load balancer (a NodeBalancer) reaches its back ends at this address only.
        privateIp: true,
        tags: [`sloth:${ctx.model.name}:${ctx.model.stack}`],
      },
      { provider: ctx.provider, secretInputs: ['userData'] },
    );
    return { machine: m, resource, id: resource.output('id'), publicAddress: resource.output('ipAddress'), privateAddress: resource.output('privateIpAddress') };
  },

  firewallRules(ctx, net, groups, sources, _pre, lb) {
    const handles: FirewallHandles = new Map();
    for (const group of groups) {
      const name = firewallName(ctx, group.name);
      const firewall = ctx.graph.resource(
        'linode:index/firewall:Firewall',
        name,
        {
          label: label(name),
          inboundPolicy: 'DROP',
          outboundPolicy: 'ACCEPT',
          inbounds: group.rules.map((r) => ({
            label: label(r.id),
            action: 'ACCEPT',
            protocol: r.protocol.toUpperCase(),
            ...(r.ports ? { ports: r.ports.from === r.ports.to ? String(r.ports.from) : `${r.ports.from}-${r.ports.to}` } : {}),
            ...inboundSources(r.sources, net, sources, lb !== undefined),
          })),
          linodes: group.machines.map((m) => m.id),
          tags: [`sloth:${ctx.model.name}:${ctx.model.stack}`],
        },
        { provider: ctx.provider },
      );
      handles.set(group.name, wholeGroup(group, firewall));
    }
    return handles;
  },

  loadBalancer(ctx, _net, name, targets, ports) {
    const nb = ctx.graph.resource('linode:index/nodeBalancer:NodeBalancer', name, { label: label(name), region: ctx.settings.region, tags: [`sloth:${ctx.model.name}:${ctx.model.stack}`] }, { provider: ctx.provider });
    for (const port of ports) {
      const config = ctx.graph.resource('linode:index/nodeBalancerConfig:NodeBalancerConfig', `${name}-${port}`, { nodebalancerId: nb.output('id'), port, protocol: 'tcp', check: 'connection' }, { provider: ctx.provider });
      for (const t of targets) {
        ctx.graph.resource(
          'linode:index/nodeBalancerNode:NodeBalancerNode',
          `${name}-${port}-${t.machine.name}`,
          { nodebalancerId: nb.output('id'), configId: config.output('id'), label: label(t.machine.name), address: t.resource.output('privateIpv4'), port },
          { provider: ctx.provider },
        );
      }
    }
    return { resource: nb, address: nb.output('ipv4'), addressKind: 'ipv4' };
  },
};

export const linodeDns: DnsMapping = {
  name: 'linode',
  resourceTypes: { 'linode:index/domainRecord:DomainRecord': ['domain', 'type', 'name'] },
  record(graph, provider, zone, name, type, values, logicalName) {
    // Linode keeps one value per record: a record set is one record per value.
    const handles = values.map((target, i) =>
      graph.resource('linode:index/domainRecord:DomainRecord', values.length === 1 ? logicalName : `${logicalName}-${i + 1}`, { domain: zone, type, name: name === zone ? '' : name.slice(0, -(zone.length + 1)), target, ttl: 300 }, { provider }),
    );
    return handles[0]!;
  },
};
