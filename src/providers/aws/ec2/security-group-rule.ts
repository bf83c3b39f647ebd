// aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
//   {securityGroupId, ipProtocol, fromPort?, toPort?, description, one of cidrIpv4 | cidrIpv6 | address} → {id}
// One inbound rule as its own EC2 object (sgr-…), tagged like everything else.
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { isIPv6 } from 'node:net';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, num, str } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked } from './tags.ts';

type Ctx = CallContext<AwsClient>;

/** The rule's address range: a CIDR as given, or one address as /32 or /128. */
export function ruleCidr(inputs: PropertyMap): { v4?: string; v6?: string } {
  if (inputs['cidrIpv4']) return { v4: str(inputs['cidrIpv4']) };
  if (inputs['cidrIpv6']) return { v6: str(inputs['cidrIpv6']) };
  const address = str(inputs['address']);
  if (!address) throw new Error('a security group rule needs cidrIpv4, cidrIpv6 or address');
  return isIPv6(address) ? { v6: `${address}/128` } : { v4: `${address}/32` };
}

function permission(inputs: PropertyMap): IpPermission {
  const { v4, v6 } = ruleCidr(inputs);
  const description = str(inputs['description']) || undefined;
  return {
    IpProtocol: str(inputs['ipProtocol']),
    FromPort: num(inputs['fromPort']) ?? -1,
    ToPort: num(inputs['toPort']) ?? -1,
    ...(v4 ? { IpRanges: [{ CidrIp: v4, Description: description }] } : {}),
    ...(v6 ? { Ipv6Ranges: [{ CidrIpv6: v6, Description: description }] } : {}),
  };
}

async function describe(ctx: Ctx, id: string): Promise<SecurityGroupRule | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeSecurityGroupRules', (o) => ctx.client.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [id] }), o));
    return r.SecurityGroupRules?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidSecurityGroupRuleId.NotFound', 'InvalidGroup.NotFound')) return undefined;
    throw err;
  }
}

export const securityGroupIngressRule: ResourceType<AwsClient> = {
  forceNew: ['securityGroupId', 'ipProtocol', 'fromPort', 'toPort', 'cidrIpv4', 'cidrIpv6', 'address'],
  timeouts: { create: 180, update: 180, delete: 180, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'AuthorizeSecurityGroupIngress', (o) =>
      ctx.client.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: str(inputs['securityGroupId']),
          IpPermissions: [permission(inputs)],
          TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: awsTags(undefined, ctx.urnTag) }],
        }),
        o,
      ),
    );
    const id = r.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
    if (!id) throw new Error('AuthorizeSecurityGroupIngress returned no rule id');
    return { id, outputs: { ...inputs, id } };
  },
  async read(id, state, ctx) {
    const rule = await describe(ctx, id);
    if (!rule || rule.IsEgress) return undefined;
    const observed: PropertyMap = {
      securityGroupId: rule.GroupId ?? '',
      ipProtocol: rule.IpProtocol ?? '',
      fromPort: rule.FromPort ?? -1,
      toPort: rule.ToPort ?? -1,
      description: rule.Description ?? '',
    };
    // Keep the form the config used (an address stays an address if it still matches).
    const { v4, v6 } = ruleCidr(state.inputs);
    const same = (v4 && rule.CidrIpv4 === v4) || (v6 && rule.CidrIpv6 === v6);
    const inputs: PropertyMap = { ...state.inputs, ...observed };
    if (!same) {
      delete inputs['address'];
      delete inputs['cidrIpv4'];
      delete inputs['cidrIpv6'];
      if (rule.CidrIpv4) inputs['cidrIpv4'] = rule.CidrIpv4;
      if (rule.CidrIpv6) inputs['cidrIpv6'] = rule.CidrIpv6;
    }
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async update(id, olds, news, ctx) {
    // Only the description can change in place (everything else forces a new rule).
    const p = permission(news);
    await call(ctx.signal, 'ModifySecurityGroupRules', (o) =>
      ctx.client.ec2.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: str(news['securityGroupId']),
          SecurityGroupRules: [
            {
              SecurityGroupRuleId: id,
              SecurityGroupRule: {
                IpProtocol: p.IpProtocol,
                FromPort: p.FromPort,
                ToPort: p.ToPort,
                CidrIpv4: p.IpRanges?.[0]?.CidrIp,
                CidrIpv6: p.Ipv6Ranges?.[0]?.CidrIpv6,
                Description: str(news['description']) || undefined,
              },
            },
          ],
        }),
        o,
      ),
    );
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, state, ctx) {
    try {
      await call(ctx.signal, 'RevokeSecurityGroupIngress', (o) => ctx.client.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: str(state.inputs['securityGroupId']), SecurityGroupRuleIds: [id] }), o));
    } catch (err) {
      if (!isNotFound(err, 'InvalidSecurityGroupRuleId.NotFound', 'InvalidGroup.NotFound', 'InvalidPermission.NotFound')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeSecurityGroupRules', (o) =>
      ctx.client.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [str(inputs['securityGroupId'])] }] }), o),
    );
    const { v4, v6 } = ruleCidr(inputs);
    const p = permission(inputs);
    const mine = (r.SecurityGroupRules ?? []).filter(
      (x) => !x.IsEgress && x.Tags?.some((t) => t.Value === ctx.urnTag) && x.IpProtocol === p.IpProtocol && (v4 ? x.CidrIpv4 === v4 : x.CidrIpv6 === v6),
    );
    const found = pickUntracked(mine, (x) => x.SecurityGroupRuleId, ctx.knownIds, 'security group rule');
    return found ? { id: found.SecurityGroupRuleId!, outputs: { ...inputs, id: found.SecurityGroupRuleId! } } : undefined;
  },
};
