// aws:lb/loadBalancer:LoadBalancer {name, loadBalancerType:'network', internal, subnets, tags} → {arn, dnsName}
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CallContext, CreateResult, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, str, tagMap, waitFor } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { resolveSubnet } from '../ec2/instance.ts';
import { elbTags, isOurs, updateElbTags } from './tags.ts';

type Ctx = CallContext<AwsClient>;

async function describe(ctx: Ctx, query: { LoadBalancerArns?: string[]; Names?: string[] }): Promise<LoadBalancer | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeLoadBalancers', (o) => ctx.client.elb.send(new DescribeLoadBalancersCommand(query), o));
    return r.LoadBalancers?.[0];
  } catch (err) {
    if (isNotFound(err, 'LoadBalancerNotFound', 'LoadBalancerNotFoundException')) return undefined;
    throw err;
  }
}

async function subnetIds(ctx: Ctx, v: PropertyValue | undefined): Promise<string[]> {
  const list = Array.isArray(v) ? v : [];
  return Promise.all(list.map((s) => resolveSubnet(ctx.client, ctx.signal, s)));
}

async function finish(ctx: Ctx, arn: string, inputs: PropertyMap): Promise<CreateResult> {
  const lb = await waitFor(ctx.signal, `load balancer ${str(inputs['name'])} to become active`, async () => {
    const x = await describe(ctx, { LoadBalancerArns: [arn] });
    if (x?.State?.Code === 'failed') throw new Error(`load balancer ${str(inputs['name'])} failed to provision: ${x.State.Reason ?? 'no reason given'}`);
    return x?.State?.Code === 'active' ? x : undefined;
  });
  return { id: arn, outputs: { ...inputs, arn, dnsName: lb.DNSName ?? '', zoneId: lb.CanonicalHostedZoneId ?? '' } };
}

export const loadBalancer: ResourceType<AwsClient> = {
  forceNew: ['name', 'loadBalancerType', 'internal'],
  timeouts: { create: 900, update: 600, delete: 600, read: 120 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'CreateLoadBalancer', async (o) =>
      ctx.client.elb.send(
        new CreateLoadBalancerCommand({
          Name: str(inputs['name']),
          Type: (str(inputs['loadBalancerType']) || 'network') as 'network',
          Scheme: inputs['internal'] === true ? 'internal' : 'internet-facing',
          Subnets: await subnetIds(ctx, inputs['subnets']),
          Tags: awsTags(inputs['tags'], ctx.urnTag),
        }),
        o,
      ),
    );
    return finish(ctx, r.LoadBalancers![0]!.LoadBalancerArn!, inputs);
  },
  async read(id, state, ctx) {
    const lb = await describe(ctx, { LoadBalancerArns: [id] });
    if (!lb) return undefined;
    const stored = Array.isArray(state.inputs['subnets']) ? state.inputs['subnets'] : [];
    const now = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').sort();
    // The stored order (and, in an existing VPC, the by-zone form) stays while the set matches.
    const literal = stored.every((s) => typeof s === 'string');
    const unchanged = literal ? [...stored].map(String).sort().join() === now.join() : stored.length === now.length;
    const inputs: PropertyMap = {
      ...state.inputs,
      name: lb.LoadBalancerName ?? '',
      loadBalancerType: lb.Type ?? '',
      internal: lb.Scheme === 'internal',
      subnets: unchanged ? stored : now,
      tags: tagMap(await elbTags(ctx, id)),
    };
    return { inputs, outputs: { ...state.outputs, ...inputs, arn: id, dnsName: lb.DNSName ?? '', zoneId: lb.CanonicalHostedZoneId ?? '' } };
  },
  async update(id, olds, news, ctx) {
    await updateElbTags(ctx, id, olds.inputs['tags'], news['tags']);
    if (JSON.stringify(olds.inputs['subnets']) !== JSON.stringify(news['subnets'])) {
      await call(ctx.signal, 'SetSubnets', async (o) => ctx.client.elb.send(new SetSubnetsCommand({ LoadBalancerArn: id, Subnets: await subnetIds(ctx, news['subnets']) }), o));
    }
    return { outputs: { ...olds.outputs, ...news, arn: id } };
  },
  async delete(id, _state, ctx) {
    try {
      await call(ctx.signal, 'DeleteLoadBalancer', (o) => ctx.client.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: id }), o));
    } catch (err) {
      if (!isNotFound(err, 'LoadBalancerNotFound', 'LoadBalancerNotFoundException')) throw err;
    }
    await waitFor(ctx.signal, `load balancer ${id} to go`, async () => ((await describe(ctx, { LoadBalancerArns: [id] })) ? undefined : true));
  },
  async adopt(inputs, ctx) {
    // Names are unique in a region: the one with our name is ours only if it has our tag.
    const lb = await describe(ctx, { Names: [str(inputs['name'])] });
    if (!lb?.LoadBalancerArn || ctx.knownIds.includes(lb.LoadBalancerArn) || !(await isOurs(ctx, lb.LoadBalancerArn))) return undefined;
    return finish(ctx, lb.LoadBalancerArn, inputs);
  },
};
