// aws:ec2/subnet:Subnet {vpcId, cidrBlock, availabilityZone, mapPublicIpOnLaunch, tags} → {id}.
// Delete waits while an instance or interface is still in it, naming it (dependents.ts).
import { CreateSubnetCommand, DeleteSubnetCommand, DescribeSubnetsCommand, ModifySubnetAttributeCommand } from '@aws-sdk/client-ec2';
import type { Subnet } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, str, tagMap, waitFor } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';
import { deleteWhenFree, subnetDependents } from './dependents.ts';

type Ctx = CallContext<AwsClient>;

export async function describeSubnet(ctx: Ctx, id: string): Promise<Subnet | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeSubnets', (o) => ctx.client.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] }), o));
    return r.Subnets?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidSubnetID.NotFound')) return undefined;
    throw err;
  }
}

async function setPublicIp(ctx: Ctx, id: string, inputs: PropertyMap): Promise<void> {
  await call(ctx.signal, 'ModifySubnetAttribute', (o) => ctx.client.ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: inputs['mapPublicIpOnLaunch'] === true } }), o));
}

async function finish(ctx: Ctx, id: string, inputs: PropertyMap) {
  await waitFor(ctx.signal, `subnet ${id} to become available`, async () => ((await describeSubnet(ctx, id))?.State === 'available' ? true : undefined));
  await setPublicIp(ctx, id, inputs);
  return { id, outputs: { ...inputs, id } };
}

export const subnet: ResourceType<AwsClient> = {
  forceNew: ['vpcId', 'cidrBlock', 'availabilityZone'],
  timeouts: { create: 300, update: 300, delete: 900, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateSubnet', (o) =>
      ctx.client.ec2.send(
        new CreateSubnetCommand({
          VpcId: str(inputs['vpcId']),
          CidrBlock: str(inputs['cidrBlock']),
          AvailabilityZone: str(inputs['availabilityZone']),
          TagSpecifications: [{ ResourceType: 'subnet', Tags: awsTags(inputs['tags'], ctx.urnTag) }],
        }),
        o,
      ),
    );
    return finish(ctx, r.Subnet!.SubnetId!, inputs);
  },
  async read(id, state, ctx) {
    const s = await describeSubnet(ctx, id);
    if (!s) return undefined;
    const inputs = { ...state.inputs, vpcId: s.VpcId ?? '', cidrBlock: s.CidrBlock ?? '', availabilityZone: s.AvailabilityZone ?? '', mapPublicIpOnLaunch: s.MapPublicIpOnLaunch ?? false, tags: tagMap(s.Tags) };
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    if (olds.inputs['mapPublicIpOnLaunch'] !== news['mapPublicIpOnLaunch']) await setPublicIp(ctx, id, news);
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    await deleteWhenFree(ctx, {
      what: `subnet '${ctx.name}' (${id})`,
      held: 'still holds',
      attempt: async () => {
        try {
          await call(ctx.signal, 'DeleteSubnet', (o) => ctx.client.ec2.send(new DeleteSubnetCommand({ SubnetId: id }), o));
        } catch (err) {
          if (!isNotFound(err, 'InvalidSubnetID.NotFound')) throw err;
        }
      },
      dependents: () => subnetDependents(ctx, id),
    });
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeSubnets', (o) => ctx.client.ec2.send(new DescribeSubnetsCommand({ Filters: [urnFilter(ctx.urnTag)] }), o));
    const found = pickUntracked(r.Subnets ?? [], (s) => s.SubnetId, ctx.knownIds, 'subnet');
    return found ? finish(ctx, found.SubnetId!, inputs) : undefined;
  },
};
