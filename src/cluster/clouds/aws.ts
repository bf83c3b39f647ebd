// AWS: how the cluster looks in EC2, ELBv2 and Route 53.
//
// Contract with src/providers/aws (inputs the provider reads, outputs the graph references):
//   aws:ec2/vpc:Vpc                         {cidrBlock, enableDnsSupport, enableDnsHostnames, tags} → {id}
//   aws:ec2/internetGateway:InternetGateway {vpcId, tags} → {id}
//   aws:ec2/routeTable:RouteTable           {vpcId, routes:[{cidrBlock, gatewayId}], tags} → {id}
//   aws:ec2/subnet:Subnet                   {vpcId, cidrBlock, availabilityZone, mapPublicIpOnLaunch, tags} → {id}
//   aws:ec2/routeTableAssociation:RouteTableAssociation {subnetId, routeTableId} → {id}
//   aws:ec2/securityGroup:SecurityGroup     {name, description, vpcId, egress:[{ipProtocol, cidrIpv4?, cidrIpv6?}], tags} → {id}
//     (no inline ingress: every inbound rule is its own SecurityGroupIngressRule)
//   aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
//                                           {securityGroupId, ipProtocol, fromPort?, toPort?, description,
//                                            exactly one of: cidrIpv4 | cidrIpv6 | address (one IPv4/IPv6 address, written as /32 or /128)} → {id}
//   aws:ec2/keyPair:KeyPair                 {keyName, publicKey, tags} → {id, keyName}
//   aws:ec2/imageLookup:ImageLookup         {owners, namePattern, architecture} → {imageId}   (a read-only lookup)
//   aws:ec2/instance:Instance               {ami, instanceType, subnetId, availabilityZone, vpcSecurityGroupIds, keyName,
//                                            userData (secret), associatePublicIpAddress, spot, metadataOptions, tags}
//                                           → {id, publicIp, privateIp}
//   aws:lb/loadBalancer:LoadBalancer        {name, loadBalancerType:'network', internal:false, subnets, tags} → {arn, dnsName}
//   aws:lb/targetGroup:TargetGroup          {name, port, protocol:'TCP', vpcId, targetType:'instance', healthCheck, tags} → {arn}
//   aws:lb/listener:Listener                {loadBalancerArn, port, protocol:'TCP', defaultActions:[{type:'forward', targetGroupArn}]} → {arn}
//   aws:lb/targetGroupAttachment:TargetGroupAttachment {targetGroupArn, targetId, port} → {id}
//   aws:route53/record:Record               {zoneName, name, type, ttl, records} → {fqdn}
// The NLB keeps client addresses, so the masters' security group sees the real clients
// (filtered by the API rule's CIDRs) and, for health checks, the VPC range.
import { ClusterPlanError } from '../errors.ts';
import { formatIpv4, requireCidr } from '../../config/index.ts';
import type { CloudContext, CloudMapping, DnsMapping, FirewallHandles, LoadBalancerHandles, NetworkHandles, SourceAddresses } from './types.ts';
import type { InputValue, ResourceHandle } from '../../engine/index.ts';
import type { MachinePlan } from '../plan.ts';
import type { RuleSource } from '../firewall/rules.ts';
import { firewallGroupNames, firewallGroupOf, firewallName, machineSource, once } from './groups.ts';
import { isIPv6 } from 'node:net';

export const UBUNTU_OWNER = '099720109477';
export const UBUNTU_NAME_PATTERN = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*';

/** Subnets are /20 (or 4 bits below the VPC prefix) numbered by the zone letter, so adding a zone never moves another. */
export function subnetCidr(vpcCidr: string, zone: string): string {
  const vpc = requireCidr(vpcCidr);
  const prefix = vpc.prefix + 4;
  if (prefix > 28) throw new ClusterPlanError(`providers.aws vpc cidr ${vpcCidr} is too small to hold one subnet per zone`, { hint: 'Use a /24 or larger.' });
  const index = zone.charCodeAt(zone.length - 1) - 'a'.charCodeAt(0);
  if (index < 0 || index > 15) throw new ClusterPlanError(`AWS zone '${zone}' does not end in a zone letter (a-p)`);
  const size = 2 ** (32 - prefix);
  return `${formatIpv4(vpc.base + index * size)}/${prefix}`;
}

const zoneOf = (ctx: CloudContext, m: MachinePlan): string => m.node?.zone ?? `${ctx.settings.region}a`;

export const aws: CloudMapping = {
  name: 'aws',
  credentialKeys: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
  resourceTypes: {
    'aws:ec2/vpc:Vpc': ['cidrBlock'],
    'aws:ec2/internetGateway:InternetGateway': ['vpcId'],
    'aws:ec2/routeTable:RouteTable': ['vpcId'],
    'aws:ec2/subnet:Subnet': ['vpcId', 'cidrBlock', 'availabilityZone'],
    'aws:ec2/routeTableAssociation:RouteTableAssociation': ['subnetId', 'routeTableId'],
    'aws:ec2/securityGroup:SecurityGroup': ['name', 'vpcId', 'description'],
    'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule': ['securityGroupId', 'ipProtocol', 'fromPort', 'toPort', 'cidrIpv4', 'cidrIpv6', 'address'],
    'aws:ec2/keyPair:KeyPair': ['keyName', 'publicKey'],
    'aws:ec2/imageLookup:ImageLookup': ['owners', 'namePattern', 'architecture'],
    'aws:ec2/instance:Instance': ['ami', 'instanceType', 'subnetId', 'availabilityZone', 'keyName', 'userData', 'spot', 'associatePublicIpAddress'],
    'aws:lb/loadBalancer:LoadBalancer': ['name', 'loadBalancerType', 'internal'],
    'aws:lb/targetGroup:TargetGroup': ['name', 'port', 'protocol', 'vpcId', 'targetType'],
    'aws:lb/listener:Listener': ['loadBalancerArn', 'port', 'protocol'],
    'aws:lb/targetGroupAttachment:TargetGroupAttachment': ['targetGroupArn', 'targetId', 'port'],
  },

  network(ctx) {
    const { graph, settings, provider, tags } = ctx;
    const zones = [...new Set(ctx.model.nodes.filter((n) => n.provider === 'aws').map((n) => n.zone ?? `${settings.region}a`))];
    if (ctx.model.bastion?.provider === 'aws') zones.push(`${settings.region}a`);
    const refs: Record<string, InputValue> = {};
    let vpcId: InputValue;
    if (settings.network.create) {
      const at = { provider };
      const vpc = graph.resource('aws:ec2/vpc:Vpc', settings.network.name, { cidrBlock: settings.network.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { ...tags, Name: settings.network.name } }, at);
      vpcId = vpc.output('id');
      const igw = graph.resource('aws:ec2/internetGateway:InternetGateway', `${settings.network.name}-igw`, { vpcId, tags: { ...tags, Name: `${settings.network.name}-igw` } }, at);
      const routes = graph.resource('aws:ec2/routeTable:RouteTable', `${settings.network.name}-public`, { vpcId, routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.output('id') }], tags: { ...tags, Name: `${settings.network.name}-public` } }, at);
      for (const zone of [...new Set(zones)].sort()) {
        const subnet = graph.resource(
          'aws:ec2/subnet:Subnet',
          `${settings.network.name}-${zone}`,
          { vpcId, cidrBlock: subnetCidr(settings.network.cidr, zone), availabilityZone: zone, mapPublicIpOnLaunch: true, tags: { ...tags, Name: `${settings.network.name}-${zone}` } },
          at,
        );
        graph.resource('aws:ec2/routeTableAssociation:RouteTableAssociation', `${settings.network.name}-${zone}`, { subnetId: subnet.output('id'), routeTableId: routes.output('id') }, at);
        refs[`subnet:${zone}`] = subnet.output('id');
      }
    } else {
      // An existing VPC: its subnets are chosen by zone at create time by the provider.
      vpcId = settings.network.id!;
      for (const zone of new Set(zones)) refs[`subnet:${zone}`] = { existingVpcId: settings.network.id!, availabilityZone: zone };
    }
    refs['vpc'] = vpcId;
    return { refs, cidr: settings.network.cidr };
  },

  sshKey(ctx, publicKey) {
    // Key pair names are unique in a region: a new key replaces the old one delete-first
    // (running instances keep the key they were started with).
    const name = `${ctx.model.name}-${ctx.model.stack}-deploy`;
    return ctx.graph.resource('aws:ec2/keyPair:KeyPair', `${ctx.model.name}-deploy`, { keyName: name, publicKey, tags: ctx.tags }, { provider: ctx.provider, deleteBeforeReplace: true });
  },

  preFirewalls(ctx, net) {
    const groups = new Map<string, ResourceHandle>();
    for (const group of firewallGroupNames(ctx)) {
      const name = firewallName(ctx, group);
      groups.set(
        group,
        ctx.graph.resource(
          'aws:ec2/securityGroup:SecurityGroup',
          name,
          {
            name,
            description: `sloth-kubernetes ${ctx.model.name} (${ctx.model.stack}): ${group}`,
            vpcId: net.refs['vpc']!,
            egress: [
              { ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' },
              { ipProtocol: '-1', cidrIpv6: '::/0' },
            ],
            tags: { ...ctx.tags, Name: name },
          },
          { provider: ctx.provider },
        ),
      );
    }
    return groups;
  },

  machine(ctx, net, m, key, pre) {
    const { graph, provider, tags } = ctx;
    const size = m.kind === 'bastion' ? ctx.model.bastion!.size : m.node!.size;
    const image = m.kind === 'bastion' ? ctx.model.bastion!.image : m.node!.image;
    let ami: InputValue = image ?? '';
    if (!image) {
      const lookup = once(ctx, 'image', () =>
        graph.resource('aws:ec2/imageLookup:ImageLookup', `${ctx.settings.region}-ubuntu-24.04`, { owners: [UBUNTU_OWNER], namePattern: UBUNTU_NAME_PATTERN, architecture: 'x86_64' }, { provider, sourcePosition: `${machineSource(m)}.image` }),
      );
      ami = lookup.output('imageId');
    }
    const zone = zoneOf(ctx, m);
    const group = pre.get(firewallGroupOf(m))!;
    const resource = graph.resource(
      'aws:ec2/instance:Instance',
      m.name,
      {
        ami,
        instanceType: size,
        subnetId: net.refs[`subnet:${zone}`]!,
        availabilityZone: zone,
        vpcSecurityGroupIds: [group.output('id')],
        keyName: key!.output('keyName'),
        userData: m.userData,
        associatePublicIpAddress: m.node ? m.node.publicAddress : true,
        spot: m.node?.spot ?? false,
        // IMDSv2 only, and one hop: a pod (one hop further, behind the node's network namespace)
        // gets no answer from the metadata service, so it cannot read user-data or the instance's role.
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
        tags: { ...tags, Name: m.name, 'sloth-kubernetes/role': m.kind === 'bastion' ? 'bastion' : m.node!.roles.join('-') },
      },
      { provider, secretInputs: ['userData'] },
    );
    return { machine: m, resource, id: resource.output('id'), publicAddress: resource.output('publicIp'), privateAddress: resource.output('privateIp') };
  },

  firewallRules(ctx, net, groups, sources, pre, lb) {
    const handles: FirewallHandles = new Map();
    for (const group of groups) {
      const sg = pre.get(group.name)!;
      const byRule = new Map<string, ResourceHandle[]>();
      handles.set(group.name, byRule);
      for (const rule of group.rules) {
        const base = {
          securityGroupId: sg.output('id'),
          ipProtocol: rule.protocol === 'icmp' ? 'icmp' : rule.protocol,
          ...(rule.ports ? { fromPort: rule.ports.from, toPort: rule.ports.to } : { fromPort: -1, toPort: -1 }),
          description: rule.description,
        };
        // One rule object per source, named by the source, so adding or removing a machine
        // never renames the rules of the others.
        byRule.set(
          rule.id,
          expandSources(rule.sources, net, sources, lb).map(({ key, source }) =>
            ctx.graph.resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', `${sg.name}-${rule.id}-${key}`, { ...base, ...source }, { provider: ctx.provider }),
          ),
        );
      }
    }
    return handles;
  },

  loadBalancer(ctx, net, name, targets, ports) {
    const { graph, provider, tags } = ctx;
    const subnets = Object.entries(net.refs)
      .filter(([k]) => k.startsWith('subnet:'))
      .map(([, v]) => v);
    const at = { provider };
    const lb = graph.resource('aws:lb/loadBalancer:LoadBalancer', name, { name, loadBalancerType: 'network', internal: false, subnets, tags }, at);
    for (const port of ports) {
      const tg = graph.resource(
        'aws:lb/targetGroup:TargetGroup',
        `${name}-${port}`,
        { name: `${name}-${port}`, port, protocol: 'TCP', vpcId: net.refs['vpc']!, targetType: 'instance', healthCheck: { protocol: 'TCP', port: String(port) }, tags },
        at,
      );
      graph.resource('aws:lb/listener:Listener', `${name}-${port}`, { loadBalancerArn: lb.output('arn'), port, protocol: 'TCP', defaultActions: [{ type: 'forward', targetGroupArn: tg.output('arn') }] }, at);
      for (const t of targets) graph.resource('aws:lb/targetGroupAttachment:TargetGroupAttachment', `${name}-${port}-${t.machine.name}`, { targetGroupArn: tg.output('arn'), targetId: t.id, port }, at);
    }
    return { resource: lb, address: lb.output('dnsName'), addressKind: 'name' } satisfies LoadBalancerHandles;
  },
};

function expandSources(ruleSources: readonly RuleSource[], net: NetworkHandles, sources: SourceAddresses, lb?: LoadBalancerHandles): { key: string; source: Record<string, InputValue> }[] {
  const out = new Map<string, Record<string, InputValue>>();
  const cidrKey = (cidr: string) => `cidr-${cidr.replace(/[^0-9a-fA-F]+/g, '-')}`;
  for (const s of ruleSources) {
    switch (s.kind) {
      case 'cidr':
        out.set(cidrKey(s.cidr), isIPv6(s.cidr.split('/')[0]!) ? { cidrIpv6: s.cidr } : { cidrIpv4: s.cidr });
        break;
      case 'mesh':
        if (sources.localMesh) out.set(cidrKey(net.cidr), { cidrIpv4: net.cidr });
        for (const r of sources.remoteMesh) out.set(`mesh-${r.machine}`, { address: r.address });
        break;
      case 'bastion':
        if (sources.bastion) out.set('bastion', { address: sources.bastion });
        break;
      case 'load-balancer':
        // NLB health checks come from its addresses inside the VPC; clients keep their own.
        if (lb) out.set(cidrKey(net.cidr), { cidrIpv4: net.cidr });
        break;
    }
  }
  return [...out].map(([key, source]) => ({ key, source }));
}

export const route53: DnsMapping = {
  name: 'route53',
  resourceTypes: { 'aws:route53/record:Record': ['zoneName', 'name', 'type'] },
  record(graph, provider, zone, name, type, values, logicalName) {
    return graph.resource('aws:route53/record:Record', logicalName, { zoneName: zone, name, type, ttl: 300, records: values }, { provider });
  },
};

