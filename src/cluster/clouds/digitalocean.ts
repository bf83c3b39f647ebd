// DigitalOcean: VPC, droplets, cloud firewalls applied by tag, a load balancer and DNS.
//
// Contract with src/providers/digitalocean:
//   digitalocean:index/vpc:Vpc             {name, region, ipRange} → {id}
//   digitalocean:index/sshKey:SshKey       {name, publicKey} → {id, fingerprint}
//   digitalocean:index/tag:Tag             {name} → {id}
//   digitalocean:index/droplet:Droplet     {name, region, size, image, vpcUuid, sshKeys, userData (secret), tags, ipv6:false, monitoring:false}
//                                          → {id, ipv4Address, ipv4AddressPrivate}
//   digitalocean:index/firewall:Firewall   {name, tags, inboundRules:[{protocol, portRange, sourceAddresses, sourceTags, sourceLoadBalancerUids}],
//                                           outboundRules:[{protocol, portRange, destinationAddresses}]} → {id}
//     (a firewall applies to every droplet with one of its tags, so it never waits for droplets,
//      and droplets of the cluster are named as a source by the cluster tag)
//   digitalocean:index/loadBalancer:LoadBalancer {name, region, vpcUuid, dropletTag, forwardingRules:[{entryPort, entryProtocol,
//                                           targetPort, targetProtocol}], healthcheck:{port, protocol}} → {id, ip}
//   digitalocean:index/dnsRecord:DnsRecord {domain, type, name, value, ttl} → {id, fqdn}
import type { InputValue } from '../../engine/index.ts';
import type { RuleSource } from '../firewall/rules.ts';
import { wholeGroup, type CloudContext, type CloudMapping, type DnsMapping, type FirewallHandles, type LoadBalancerHandles, type SourceAddresses } from './types.ts';
import { firewallGroupOf, firewallName, once } from './groups.ts';

export const DEFAULT_IMAGE = 'ubuntu-24-04-x64';

/** DigitalOcean tags allow letters, digits, ':', '-' and '_'. */
const tag = (...parts: string[]) => parts.join(':').replace(/[^A-Za-z0-9:_-]/g, '-');
const clusterTag = (ctx: CloudContext) => tag('sloth', ctx.model.name, ctx.model.stack);
const groupTag = (ctx: CloudContext, group: string) => tag('sloth', ctx.model.name, ctx.model.stack, group);
/** Carried by the masters: the API load balancer targets it. */
const apiTag = (ctx: CloudContext) => tag('sloth', ctx.model.name, ctx.model.stack, 'api');

function ensureTag(ctx: CloudContext, name: string) {
  return once(ctx, `tag:${name}`, () => ctx.graph.resource('digitalocean:index/tag:Tag', name, { name }, { provider: ctx.provider }));
}

const ALL_TRAFFIC: InputValue[] = [
  { protocol: 'tcp', portRange: '1-65535', destinationAddresses: ['0.0.0.0/0', '::/0'] },
  { protocol: 'udp', portRange: '1-65535', destinationAddresses: ['0.0.0.0/0', '::/0'] },
  { protocol: 'icmp', destinationAddresses: ['0.0.0.0/0', '::/0'] },
];

function inboundSources(ctx: CloudContext, sources: readonly RuleSource[], addrs: SourceAddresses, lb?: LoadBalancerHandles): Record<string, InputValue[]> {
  const out: Record<string, InputValue[]> = { sourceAddresses: [], sourceTags: [], sourceLoadBalancerUids: [] };
  for (const s of sources) {
    if (s.kind === 'cidr') out['sourceAddresses']!.push(s.cidr);
    else if (s.kind === 'mesh') {
      // The tag's output, not its name: a firewall naming a tag that does not exist yet is refused (422).
      if (addrs.localMesh) out['sourceTags']!.push(ensureTag(ctx, clusterTag(ctx)).output('name'));
      out['sourceAddresses']!.push(...addrs.remoteMesh.map((r) => r.address));
    } else if (s.kind === 'bastion' && addrs.bastion) out['sourceAddresses']!.push(addrs.bastion);
    else if (s.kind === 'load-balancer' && lb) out['sourceLoadBalancerUids']!.push(lb.resource.output('id'));
  }
  return out;
}

export const digitalocean: CloudMapping = {
  name: 'digitalocean',
  credentialKeys: ['token'],
  resourceTypes: {
    'digitalocean:index/vpc:Vpc': ['region', 'ipRange'],
    'digitalocean:index/sshKey:SshKey': ['publicKey'],
    'digitalocean:index/tag:Tag': ['name'],
    'digitalocean:index/droplet:Droplet': ['region', 'image', 'vpcUuid', 'userData', 'sshKeys', 'ipv6', 'monitoring'],
    'digitalocean:index/firewall:Firewall': [],
    'digitalocean:index/loadBalancer:LoadBalancer': ['region', 'vpcUuid'],
    'digitalocean:index/dnsRecord:DnsRecord': ['domain', 'type', 'name'],
  },

  network(ctx) {
    const n = ctx.settings.network;
    if (!n.create) return { refs: { vpc: n.id! }, cidr: n.cidr };
    const vpc = ctx.graph.resource('digitalocean:index/vpc:Vpc', n.name, { name: n.name, region: ctx.settings.region, ipRange: n.cidr }, { provider: ctx.provider });
    return { refs: { vpc: vpc.output('id') }, cidr: n.cidr };
  },

  sshKey(ctx, publicKey) {
    return ctx.graph.resource('digitalocean:index/sshKey:SshKey', `${ctx.model.name}-deploy`, { name: `${ctx.model.name}-${ctx.model.stack}-deploy`, publicKey }, { provider: ctx.provider });
  },

  preFirewalls() {
    return new Map();
  },

  machine(ctx, net, m, key) {
    const group = firewallGroupOf(m);
    const names = [clusterTag(ctx), groupTag(ctx, group), ...(m.node?.roles.includes('master') ? [apiTag(ctx)] : [])];
    const tags = names.map((t) => ensureTag(ctx, t).output('name'));
    const resource = ctx.graph.resource(
      'digitalocean:index/droplet:Droplet',
      m.name,
      {
        name: m.name,
        region: ctx.settings.region,
        size: m.kind === 'bastion' ? ctx.model.bastion!.size : m.node!.size,
        image: (m.kind === 'bastion' ? ctx.model.bastion!.image : m.node!.image) ?? DEFAULT_IMAGE,
        vpcUuid: net.refs['vpc']!,
        sshKeys: [key!.output('fingerprint')],
        userData: m.userData,
        tags,
        ipv6: false,
        monitoring: false,
      },
      { provider: ctx.provider, secretInputs: ['userData'] },
    );
    return { machine: m, resource, id: resource.output('id'), publicAddress: resource.output('ipv4Address'), privateAddress: resource.output('ipv4AddressPrivate') };
  },

  firewallRules(ctx, _net, groups, sources, _pre, lb) {
    const handles: FirewallHandles = new Map();
    for (const group of groups) {
      const name = firewallName(ctx, group.name);
      const firewall = ctx.graph.resource(
        'digitalocean:index/firewall:Firewall',
        name,
        {
          name,
          tags: [ensureTag(ctx, groupTag(ctx, group.name)).output('name')],
          inboundRules: group.rules.map((r) => ({
            protocol: r.protocol,
            ...(r.ports ? { portRange: r.ports.from === r.ports.to ? String(r.ports.from) : `${r.ports.from}-${r.ports.to}` } : {}),
            ...inboundSources(ctx, r.sources, sources, lb),
          })),
          outboundRules: ALL_TRAFFIC,
        },
        { provider: ctx.provider },
      );
      handles.set(group.name, wholeGroup(group, firewall));
    }
    return handles;
  },

  loadBalancer(ctx, net, name, _targets, ports) {
    const resource = ctx.graph.resource(
      'digitalocean:index/loadBalancer:LoadBalancer',
      name,
      {
        name,
        region: ctx.settings.region,
        vpcUuid: net.refs['vpc']!,
        // The balancer targets droplets by tag: every master of this cloud carries it.
        dropletTag: ensureTag(ctx, apiTag(ctx)).output('name'),
        forwardingRules: ports.map((p) => ({ entryPort: p, entryProtocol: 'tcp', targetPort: p, targetProtocol: 'tcp' })),
        healthcheck: { port: ports[0]!, protocol: 'tcp' },
      },
      { provider: ctx.provider },
    );
    return { resource, address: resource.output('ip'), addressKind: 'ipv4' };
  },
};

export const digitaloceanDns: DnsMapping = {
  name: 'digitalocean',
  resourceTypes: { 'digitalocean:index/dnsRecord:DnsRecord': ['domain', 'type', 'name'] },
  record(graph, provider, zone, name, type, values, logicalName) {
    // DigitalOcean keeps one value per record: a record set is one record per value.
    const handles = values.map((value, i) =>
      graph.resource('digitalocean:index/dnsRecord:DnsRecord', values.length === 1 ? logicalName : `${logicalName}-${i + 1}`, { domain: zone, type, name: name === zone ? '@' : name.slice(0, -(zone.length + 1)), value, ttl: 300 }, { provider }),
    );
    return handles[0]!;
  },
};
