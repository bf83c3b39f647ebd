// aws:ec2/securityGroup:SecurityGroup {name, description, vpcId, egress:[{ipProtocol, cidrIpv4?, cidrIpv6?}], tags} → {id}
// Inbound rules are separate resources (securityGroupIngressRule.ts); the group's egress is
// brought to exactly what the planner asks (a new group starts with "all IPv4 out"). Delete
// waits while an instance, interface or another group's rule uses it, naming it (dependents.ts).
import {
  AuthorizeSecurityGroupEgressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, num, str, tagMap } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';
import { deleteWhenFree, groupDependents } from './dependents.ts';

type Ctx = CallContext<AwsClient>;

interface Egress {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
}

const key = (e: Egress) => `${e.ipProtocol}|${e.fromPort ?? ''}|${e.toPort ?? ''}|${e.cidrIpv4 ?? ''}|${e.cidrIpv6 ?? ''}`;

function egressOf(v: PropertyValue | undefined): Egress[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) => {
    const m = x as PropertyMap;
    const e: Egress = { ipProtocol: str(m['ipProtocol']) };
    if (m['fromPort'] !== undefined) e.fromPort = num(m['fromPort']);
    if (m['toPort'] !== undefined) e.toPort = num(m['toPort']);
    if (m['cidrIpv4']) e.cidrIpv4 = str(m['cidrIpv4']);
    if (m['cidrIpv6']) e.cidrIpv6 = str(m['cidrIpv6']);
    return e;
  });
}

function permission(e: Egress): IpPermission {
  return {
    IpProtocol: e.ipProtocol,
    ...(e.ipProtocol === '-1' ? {} : { FromPort: e.fromPort, ToPort: e.toPort }),
    ...(e.cidrIpv4 ? { IpRanges: [{ CidrIp: e.cidrIpv4 }] } : {}),
    ...(e.cidrIpv6 ? { Ipv6Ranges: [{ CidrIpv6: e.cidrIpv6 }] } : {}),
  };
}

/** The group's egress as one entry per address range. */
function currentEgress(g: SecurityGroup): Egress[] {
  const out: Egress[] = [];
  for (const p of g.IpPermissionsEgress ?? []) {
    const ports = p.IpProtocol === '-1' ? {} : { fromPort: p.FromPort, toPort: p.ToPort };
    for (const r of p.IpRanges ?? []) out.push({ ipProtocol: p.IpProtocol!, ...ports, cidrIpv4: r.CidrIp });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ipProtocol: p.IpProtocol!, ...ports, cidrIpv6: r.CidrIpv6 });
  }
  return out;
}

export async function describeGroup(ctx: Ctx, id: string): Promise<SecurityGroup | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeSecurityGroups', (o) => ctx.client.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }), o));
    return r.SecurityGroups?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) return undefined;
    throw err;
  }
}

async function syncEgress(ctx: Ctx, g: SecurityGroup, wanted: Egress[]): Promise<void> {
  const id = g.GroupId!;
  const have = currentEgress(g);
  const add = wanted.filter((w) => !have.some((h) => key(h) === key(w)));
  const remove = have.filter((h) => !wanted.some((w) => key(h) === key(w)));
  if (add.length > 0) await call(ctx.signal, 'AuthorizeSecurityGroupEgress', (o) => ctx.client.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: add.map(permission) }), o));
  if (remove.length > 0) await call(ctx.signal, 'RevokeSecurityGroupEgress', (o) => ctx.client.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: remove.map(permission) }), o));
}

async function finish(ctx: Ctx, g: SecurityGroup, inputs: PropertyMap) {
  await syncEgress(ctx, g, egressOf(inputs['egress']));
  return { id: g.GroupId!, outputs: { ...inputs, id: g.GroupId! } };
}

export const securityGroup: ResourceType<AwsClient> = {
  forceNew: ['name', 'vpcId', 'description'],
  timeouts: { create: 300, update: 300, delete: 900, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateSecurityGroup', (o) =>
      ctx.client.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: str(inputs['name']),
          Description: str(inputs['description']),
          VpcId: str(inputs['vpcId']),
          TagSpecifications: [{ ResourceType: 'security-group', Tags: awsTags(inputs['tags'], ctx.urnTag) }],
        }),
        o,
      ),
    );
    const g = (await describeGroup(ctx, r.GroupId!)) ?? { GroupId: r.GroupId, IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
    return finish(ctx, g, inputs);
  },
  async read(id, state, ctx) {
    const g = await describeGroup(ctx, id);
    if (!g) return undefined;
    const inputs = {
      ...state.inputs,
      name: g.GroupName ?? '',
      description: g.Description ?? '',
      vpcId: g.VpcId ?? '',
      egress: currentEgress(g).map((e) => ({ ...e }) as PropertyMap),
      tags: tagMap(g.Tags),
    };
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    const g = await describeGroup(ctx, id);
    if (!g) throw new Error(`security group ${id} is gone; run refresh, then deploy`);
    await syncEgress(ctx, g, egressOf(news['egress']));
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    await deleteWhenFree(ctx, {
      what: `security group '${ctx.name}' (${id})`,
      held: 'is still used by',
      attempt: async () => {
        try {
          await call(ctx.signal, 'DeleteSecurityGroup', (o) => ctx.client.ec2.send(new DeleteSecurityGroupCommand({ GroupId: id }), o));
        } catch (err) {
          if (!isNotFound(err, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) throw err;
        }
      },
      dependents: () => groupDependents(ctx, id),
    });
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeSecurityGroups', (o) => ctx.client.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [urnFilter(ctx.urnTag)] }), o));
    const found = pickUntracked(r.SecurityGroups ?? [], (g) => g.GroupId, ctx.knownIds, 'security group');
    return found ? finish(ctx, found, inputs) : undefined;
  },
};
