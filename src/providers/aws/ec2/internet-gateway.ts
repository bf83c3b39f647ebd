// aws:ec2/internetGateway:InternetGateway {vpcId, tags} → {id}. Delete detaches it first, waiting
// while the VPC still has public addresses, naming their interfaces (dependents.ts).
import { AttachInternetGatewayCommand, CreateInternetGatewayCommand, DeleteInternetGatewayCommand, DescribeInternetGatewaysCommand, DetachInternetGatewayCommand } from '@aws-sdk/client-ec2';
import type { InternetGateway } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, str, tagMap } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';
import { deleteWhenFree, publicAddressDependents } from './dependents.ts';

type Ctx = CallContext<AwsClient>;

async function describe(ctx: Ctx, id: string): Promise<InternetGateway | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeInternetGateways', (o) => ctx.client.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [id] }), o));
    return r.InternetGateways?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidInternetGatewayID.NotFound')) return undefined;
    throw err;
  }
}

/** Attaches the gateway unless it already is (an adopted one may not be yet). */
async function finish(ctx: Ctx, igw: InternetGateway, inputs: PropertyMap) {
  const id = igw.InternetGatewayId!;
  const vpcId = str(inputs['vpcId']);
  if (!igw.Attachments?.some((a) => a.VpcId === vpcId)) {
    await call(ctx.signal, 'AttachInternetGateway', (o) => ctx.client.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }), o));
  }
  return { id, outputs: { ...inputs, id } };
}

export const internetGateway: ResourceType<AwsClient> = {
  forceNew: ['vpcId'],
  timeouts: { create: 300, update: 300, delete: 600, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateInternetGateway', (o) =>
      ctx.client.ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: awsTags(inputs['tags'], ctx.urnTag) }] }), o),
    );
    return finish(ctx, r.InternetGateway!, inputs);
  },
  async read(id, state, ctx) {
    const g = await describe(ctx, id);
    if (!g) return undefined;
    const inputs = { ...state.inputs, vpcId: g.Attachments?.[0]?.VpcId ?? '', tags: tagMap(g.Tags) };
    return { inputs, outputs: { ...state.outputs, ...inputs, id } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    const g = await describe(ctx, id);
    if (!g) return;
    for (const a of g.Attachments ?? []) {
      await deleteWhenFree(ctx, {
        what: `internet gateway '${ctx.name}' (${id})`,
        held: `cannot leave VPC ${a.VpcId} while it has public addresses:`,
        attempt: async () => {
          try {
            await call(ctx.signal, 'DetachInternetGateway', (o) => ctx.client.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: a.VpcId }), o));
          } catch (err) {
            if (!isNotFound(err, 'Gateway.NotAttached', 'InvalidInternetGatewayID.NotFound')) throw err;
          }
        },
        dependents: () => publicAddressDependents(ctx, a.VpcId!),
      });
    }
    try {
      await call(ctx.signal, 'DeleteInternetGateway', (o) => ctx.client.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: id }), o));
    } catch (err) {
      if (!isNotFound(err, 'InvalidInternetGatewayID.NotFound')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeInternetGateways', (o) => ctx.client.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [urnFilter(ctx.urnTag)] }), o));
    const found = pickUntracked(r.InternetGateways ?? [], (g) => g.InternetGatewayId, ctx.knownIds, 'internet gateway');
    return found ? finish(ctx, found, inputs) : undefined;
  },
};
