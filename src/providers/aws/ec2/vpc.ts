// aws:ec2/vpc:Vpc {cidrBlock, enableDnsSupport, enableDnsHostnames, tags} → {id}. Delete waits
// while something is still in the VPC, naming it (dependents.ts).
import { CreateVpcCommand, DeleteVpcCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import type { Vpc } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, str, tagMap, waitFor } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';
import { deleteWhenFree, vpcDependents } from './dependents.ts';

type Ctx = CallContext<AwsClient>;

async function describe(ctx: Ctx, id: string): Promise<Vpc | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeVpcs', (o) => ctx.client.ec2.send(new DescribeVpcsCommand({ VpcIds: [id] }), o));
    return r.Vpcs?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidVpcID.NotFound')) return undefined;
    throw err;
  }
}

async function setDns(ctx: Ctx, id: string, inputs: PropertyMap): Promise<void> {
  // One attribute per call (an EC2 rule).
  await call(ctx.signal, 'ModifyVpcAttribute', (o) => ctx.client.ec2.send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsSupport: { Value: inputs['enableDnsSupport'] !== false } }), o));
  await call(ctx.signal, 'ModifyVpcAttribute', (o) => ctx.client.ec2.send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsHostnames: { Value: inputs['enableDnsHostnames'] !== false } }), o));
}

async function finish(ctx: Ctx, id: string, inputs: PropertyMap) {
  await waitFor(ctx.signal, `VPC ${id} to become available`, async () => ((await describe(ctx, id))?.State === 'available' ? true : undefined));
  await setDns(ctx, id, inputs);
  return { id, outputs: { ...inputs, id } };
}

export const vpc: ResourceType<AwsClient> = {
  forceNew: ['cidrBlock'],
  timeouts: { create: 300, update: 300, delete: 600, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateVpc', (o) =>
      ctx.client.ec2.send(new CreateVpcCommand({ CidrBlock: str(inputs['cidrBlock']), TagSpecifications: [{ ResourceType: 'vpc', Tags: awsTags(inputs['tags'], ctx.urnTag) }] }), o),
    );
    return finish(ctx, r.Vpc!.VpcId!, inputs);
  },
  async read(id, state, ctx) {
    const v = await describe(ctx, id);
    if (!v || (v.State as string) === 'deleted') return undefined;
    const attr = async (Attribute: 'enableDnsSupport' | 'enableDnsHostnames') => {
      const r = await call(ctx.signal, 'DescribeVpcAttribute', (o) => ctx.client.ec2.send(new DescribeVpcAttributeCommand({ VpcId: id, Attribute }), o));
      return (Attribute === 'enableDnsSupport' ? r.EnableDnsSupport?.Value : r.EnableDnsHostnames?.Value) ?? false;
    };
    const inputs = { ...state.inputs, cidrBlock: v.CidrBlock ?? '', enableDnsSupport: await attr('enableDnsSupport'), enableDnsHostnames: await attr('enableDnsHostnames'), tags: tagMap(v.Tags) };
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    if (olds.inputs['enableDnsSupport'] !== news['enableDnsSupport'] || olds.inputs['enableDnsHostnames'] !== news['enableDnsHostnames']) await setDns(ctx, id, news);
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    await deleteWhenFree(ctx, {
      what: `VPC '${ctx.name}' (${id})`,
      held: 'still holds',
      attempt: async () => {
        try {
          await call(ctx.signal, 'DeleteVpc', (o) => ctx.client.ec2.send(new DeleteVpcCommand({ VpcId: id }), o));
        } catch (err) {
          if (!isNotFound(err, 'InvalidVpcID.NotFound')) throw err;
        }
      },
      dependents: () => vpcDependents(ctx, id),
    });
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeVpcs', (o) => ctx.client.ec2.send(new DescribeVpcsCommand({ Filters: [urnFilter(ctx.urnTag)] }), o));
    const found = pickUntracked(r.Vpcs ?? [], (v) => v.VpcId, ctx.knownIds, 'VPC');
    return found ? finish(ctx, found.VpcId!, inputs) : undefined;
  },
};
