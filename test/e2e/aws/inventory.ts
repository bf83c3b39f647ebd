// What the AWS emulator holds of ours, by resource type, read straight from the AWS APIs
// (not from our stack): the end-to-end tests compare it with the stack and expect it empty
// after a destroy. "Ours" = carries the URN tag, or hangs off something that does.
import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeKeyPairsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { URN_TAG } from '../../../src/providers/aws/call.ts';

export type Inventory = Record<string, string[]>;

/** Every resource type the AWS provider manages, keyed by its type token. */
export const AWS_TYPES = [
  'aws:ec2/vpc:Vpc',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:ec2/routeTable:RouteTable',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/routeTableAssociation:RouteTableAssociation',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  'aws:ec2/keyPair:KeyPair',
  'aws:ec2/instance:Instance',
  'aws:lb/loadBalancer:LoadBalancer',
  'aws:lb/targetGroup:TargetGroup',
  'aws:lb/listener:Listener',
  'aws:lb/targetGroupAttachment:TargetGroupAttachment',
  'aws:route53/record:Record',
] as const;

export function awsClients(endpoint: string) {
  const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return { ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config), route53: new Route53Client(config) };
}

const tagged = { Name: 'tag-key', Values: [URN_TAG] };
const ours = (tags: { Key?: string }[] | undefined) => (tags ?? []).some((t) => t.Key === URN_TAG);

export async function inventory(endpoint: string): Promise<Inventory> {
  const { ec2, elb, route53 } = awsClients(endpoint);
  const out: Inventory = Object.fromEntries(AWS_TYPES.map((t) => [t, [] as string[]]));
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [tagged] }))).Vpcs ?? [];
  out['aws:ec2/vpc:Vpc'] = vpcs.map((v) => v.VpcId!);
  out['aws:ec2/internetGateway:InternetGateway'] = ((await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [tagged] }))).InternetGateways ?? []).map((g) => g.InternetGatewayId!);
  const tables = (await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
  out['aws:ec2/routeTable:RouteTable'] = tables.filter((t) => ours(t.Tags)).map((t) => t.RouteTableId!);
  out['aws:ec2/routeTableAssociation:RouteTableAssociation'] = tables
    .filter((t) => ours(t.Tags))
    .flatMap((t) => t.Associations ?? [])
    .filter((a) => !a.Main)
    .map((a) => a.RouteTableAssociationId!);
  out['aws:ec2/subnet:Subnet'] = ((await ec2.send(new DescribeSubnetsCommand({ Filters: [tagged] }))).Subnets ?? []).map((s) => s.SubnetId!);
  out['aws:ec2/securityGroup:SecurityGroup'] = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).filter((g) => ours(g.Tags)).map((g) => g.GroupId!);
  out['aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule'] = ((await ec2.send(new DescribeSecurityGroupRulesCommand({}))).SecurityGroupRules ?? [])
    .filter((r) => !r.IsEgress && ours(r.Tags))
    .map((r) => r.SecurityGroupRuleId!);
  out['aws:ec2/keyPair:KeyPair'] = ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).filter((k) => ours(k.Tags)).map((k) => k.KeyPairId!);
  out['aws:ec2/instance:Instance'] = ((await ec2.send(new DescribeInstancesCommand({ Filters: [tagged, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }] }))).Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .map((i) => i.InstanceId!);
  const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  out['aws:lb/loadBalancer:LoadBalancer'] = lbs.map((l) => l.LoadBalancerArn!);
  for (const lb of lbs) {
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    out['aws:lb/listener:Listener']!.push(...listeners.map((l) => l.ListenerArn!));
  }
  const groups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  out['aws:lb/targetGroup:TargetGroup'] = groups.map((g) => g.TargetGroupArn!);
  for (const g of groups) {
    const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions ?? [];
    out['aws:lb/targetGroupAttachment:TargetGroupAttachment']!.push(...health.map((h) => `${g.TargetGroupArn}|${h.Target?.Id}|${h.Target?.Port}`));
  }
  for (const zone of (await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? []) {
    const id = zone.Id!.replace(/^\/hostedzone\//, '');
    const sets = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }))).ResourceRecordSets ?? [];
    out['aws:route53/record:Record']!.push(...sets.filter((s) => s.Type !== 'SOA' && s.Type !== 'NS').map((s) => `${id}_${s.Name!.replace(/\.$/, '')}_${s.Type}`));
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** Counts per type, for messages and equality checks. */
export function counts(inv: Inventory): Record<string, number> {
  return Object.fromEntries(Object.entries(inv).map(([t, ids]) => [t, ids.length]));
}

/** The ids the stack tracks, per AWS type, from a `stacks export` document. */
export function stackIds(exported: string): Inventory {
  const doc = JSON.parse(exported) as { deployment: { resources?: { type: string; id?: string; delete?: boolean }[] } };
  const out: Inventory = Object.fromEntries(AWS_TYPES.map((t) => [t, [] as string[]]));
  for (const r of doc.deployment.resources ?? []) {
    if (r.type in out && r.id) out[r.type]!.push(r.id);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}
