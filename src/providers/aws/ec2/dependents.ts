// Deletes AWS refuses while something depends on the object (DependencyViolation, or
// InvalidGroup.InUse for a security group): the stack deletes its own dependents first, so
// what still holds a VPC, subnet, security group or internet gateway after that is either
// clearing by itself (an interface a terminated instance releases) or not the stack's (made
// outside it). The delete is retried, saying every 10 s what holds it — each blocking object's
// type, id and Name tag, looked up — and gives up after 3 minutes naming them, instead of
// retrying in silence until the step's time limit. Interfaces AWS manages for a service (a
// load balancer's, released minutes after it is deleted) clear by themselves: while they are
// all that holds the object, the wait goes on (still saying so) until the step's time limit.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpnGatewaysCommand,
} from '@aws-sdk/client-ec2';
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import type { CallContext } from '../../../engine/index.ts';
import type { AwsClient } from '../client.ts';
import { call } from '../call.ts';
import { AwsCallError, isNotFound } from '../errors.ts';

type Ctx = CallContext<AwsClient>;

/** The codes AWS answers for a delete something else depends on. */
export const DEPENDENCY_CODES = ['DependencyViolation', 'InvalidGroup.InUse'];

/** An object that keeps another from being deleted. */
export interface Dependent {
  /** 'subnet', 'network interface', … */
  kind: string;
  id: string;
  /** Its Name tag, or what AWS says it is for (an interface's description). */
  name?: string;
  /** AWS releases it by itself (an interface a service manages, e.g. a deleted load balancer's). */
  clearing?: boolean;
}

const LIVE_INSTANCE = { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] };
const by = (Name: string, value: string): Filter => ({ Name, Values: [value] });
const nameTag = (tags: Tag[] | undefined): string | undefined => tags?.find((t) => t.Key === 'Name')?.Value || undefined;

/** Live instances matching `filter`, and the network interfaces matching it that are not theirs. */
async function instancesAndInterfaces(ctx: Ctx, instanceFilter: Filter, interfaceFilter: Filter): Promise<Dependent[]> {
  const r = await call(ctx.signal, 'DescribeInstances', (o) => ctx.client.ec2.send(new DescribeInstancesCommand({ Filters: [instanceFilter, LIVE_INSTANCE] }), o));
  const instances = (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
  const ids = new Set(instances.map((i) => i.InstanceId));
  const nics = await call(ctx.signal, 'DescribeNetworkInterfaces', (o) => ctx.client.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [interfaceFilter] }), o));
  return [
    ...instances.map((i) => ({ kind: 'instance', id: i.InstanceId!, name: nameTag(i.Tags) })),
    ...(nics.NetworkInterfaces ?? [])
      .filter((n) => !ids.has(n.Attachment?.InstanceId))
      .map((n) => ({ kind: 'network interface', id: n.NetworkInterfaceId!, name: nameTag(n.TagSet) ?? (n.Description || undefined), clearing: n.RequesterManaged === true })),
  ];
}

/** What is still in a VPC: subnets, route tables but the main one, security groups but the default one, gateways, instances, interfaces. */
export async function vpcDependents(ctx: Ctx, vpcId: string): Promise<Dependent[]> {
  const vpc = by('vpc-id', vpcId);
  const [subnets, tables, groups, igws, vgws] = await Promise.all([
    call(ctx.signal, 'DescribeSubnets', (o) => ctx.client.ec2.send(new DescribeSubnetsCommand({ Filters: [vpc] }), o)),
    call(ctx.signal, 'DescribeRouteTables', (o) => ctx.client.ec2.send(new DescribeRouteTablesCommand({ Filters: [vpc] }), o)),
    call(ctx.signal, 'DescribeSecurityGroups', (o) => ctx.client.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [vpc] }), o)),
    call(ctx.signal, 'DescribeInternetGateways', (o) => ctx.client.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [by('attachment.vpc-id', vpcId)] }), o)),
    call(ctx.signal, 'DescribeVpnGateways', (o) => ctx.client.ec2.send(new DescribeVpnGatewaysCommand({ Filters: [by('attachment.vpc-id', vpcId), by('attachment.state', 'attached')] }), o)),
  ]);
  return [
    ...(subnets.Subnets ?? []).map((s) => ({ kind: 'subnet', id: s.SubnetId!, name: nameTag(s.Tags) })),
    ...(tables.RouteTables ?? []).filter((t) => !t.Associations?.some((a) => a.Main)).map((t) => ({ kind: 'route table', id: t.RouteTableId!, name: nameTag(t.Tags) })),
    ...(groups.SecurityGroups ?? []).filter((g) => g.GroupName !== 'default').map((g) => ({ kind: 'security group', id: g.GroupId!, name: nameTag(g.Tags) ?? g.GroupName })),
    ...(igws.InternetGateways ?? []).map((g) => ({ kind: 'internet gateway', id: g.InternetGatewayId!, name: nameTag(g.Tags) })),
    ...(vgws.VpnGateways ?? []).map((g) => ({ kind: 'VPN gateway', id: g.VpnGatewayId!, name: nameTag(g.Tags) })),
    ...(await instancesAndInterfaces(ctx, vpc, vpc)),
  ];
}

/** What is still in a subnet: instances and network interfaces (load balancers', NAT gateways', …). */
export function subnetDependents(ctx: Ctx, subnetId: string): Promise<Dependent[]> {
  return instancesAndInterfaces(ctx, by('subnet-id', subnetId), by('subnet-id', subnetId));
}

/** What uses a security group: instances and interfaces that carry it, groups whose rules name it. */
export async function groupDependents(ctx: Ctx, groupId: string): Promise<Dependent[]> {
  const referring = await Promise.all(
    ['ip-permission.group-id', 'egress.ip-permission.group-id'].map((f) =>
      call(ctx.signal, 'DescribeSecurityGroups', (o) => ctx.client.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [by(f, groupId)] }), o)),
    ),
  );
  const groups = new Map(referring.flatMap((r) => r.SecurityGroups ?? []).filter((g) => g.GroupId !== groupId).map((g) => [g.GroupId!, g]));
  return [
    ...(await instancesAndInterfaces(ctx, by('instance.group-id', groupId), by('group-id', groupId))),
    ...[...groups.values()].map((g) => ({ kind: 'security group (a rule names it)', id: g.GroupId!, name: nameTag(g.Tags) ?? g.GroupName })),
  ];
}

/** What keeps an internet gateway attached: the VPC's interfaces with a public address. */
export async function publicAddressDependents(ctx: Ctx, vpcId: string): Promise<Dependent[]> {
  const r = await call(ctx.signal, 'DescribeNetworkInterfaces', (o) => ctx.client.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [by('vpc-id', vpcId)] }), o));
  return (r.NetworkInterfaces ?? [])
    .filter((n) => n.Association?.PublicIp)
    .map((n) => {
      const of = n.Attachment?.InstanceId ? `instance ${n.Attachment.InstanceId}` : n.Description;
      return { kind: 'network interface', id: n.NetworkInterfaceId!, name: `${n.Association!.PublicIp}${of ? `, ${of}` : ''}`, clearing: n.RequesterManaged === true };
    });
}

const describe = (d: Dependent) => `${d.kind} ${d.id}${d.name ? ` ('${d.name}')` : ''}`;

export interface HeldDelete {
  /** The object, as the user knows it: "VPC 'main' (vpc-0123)". */
  what: string;
  /** How it is held, before the list: "still holds", "is still used by". */
  held: string;
  /** Makes the delete call; throws what AWS answered. */
  attempt(): Promise<void>;
  /** Looks up what holds the object. */
  dependents(): Promise<Dependent[]>;
}

/**
 * Runs `d.attempt` until AWS no longer answers that something depends on the object: every
 * `ctx.client.waitNoticeMs` a warning names what holds it, after `ctx.client.maxWaitMs` an
 * error does (not retried) — unless all that holds it clears by itself, when the wait goes on
 * until the step's time limit. Any other failure is thrown as it is.
 */
export async function deleteWhenFree(ctx: Ctx, d: HeldDelete): Promise<void> {
  const started = Date.now();
  let told = started;
  let delay = 250;
  for (;;) {
    try {
      await d.attempt();
      return;
    } catch (err) {
      if (!isNotFound(err, ...DEPENDENCY_CODES)) throw err;
      const waited = Date.now() - started;
      const bound = waited >= ctx.client.maxWaitMs;
      if (bound || Date.now() - told >= ctx.client.waitNoticeMs) {
        const holders = await holdersOf(d, err);
        const secs = (ms: number) => `${Math.round(ms / 1000)}s`;
        if (bound && !holders.clearing) {
          throw new Error(
            `${d.what} ${d.held} ${holders.text} after ${secs(waited)}; AWS deletes it only when nothing depends on it, and this stack does not track ${holders.count === 1 ? 'that object' : 'those objects'}. Delete ${holders.count === 1 ? 'it' : 'them'} or move ${holders.count === 1 ? 'it' : 'them'} elsewhere (AWS console or aws ec2), then run destroy again.`,
            { cause: err },
          );
        }
        told = Date.now();
        const limit = holders.clearing ? 'AWS releases what holds it by itself' : `of at most ${secs(ctx.client.maxWaitMs)}`;
        ctx.log(`waiting for ${d.what} to be free to delete (${secs(waited)}, ${limit}): it ${d.held} ${holders.text}`, 'warning');
      }
    }
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(`stopped waiting for ${d.what} to be free`);
    // 250 ms doubling to 5 s, the last try right at the bound.
    const untilBound = started + ctx.client.maxWaitMs - Date.now();
    await sleep(untilBound > 0 ? Math.min(delay, untilBound) : delay, undefined, { signal: ctx.signal }).catch(() => undefined);
    delay = Math.min(delay * 2, 5000);
  }
}

/** The dependents named (and whether all of them clear by itself), or — when the look-ups find none or fail — what AWS said. */
async function holdersOf(d: HeldDelete, err: unknown): Promise<{ text: string; count: number; clearing: boolean }> {
  const said = err instanceof AwsCallError ? err.message.replace(/^\S+ failed: /, '') : String(err);
  try {
    const found = await d.dependents();
    if (found.length > 0) return { text: found.map(describe).join(', '), count: found.length, clearing: found.every((x) => x.clearing) };
    return { text: `something the look-ups do not show (AWS says: ${said})`, count: 1, clearing: false };
  } catch (lookup) {
    return { text: `something (AWS says: ${said}; looking it up failed: ${(lookup as Error).message})`, count: 1, clearing: false };
  }
}
