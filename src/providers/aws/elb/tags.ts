// Tags on load balancers, target groups and listeners (ELBv2 has its own tag calls).
import { AddTagsCommand, DescribeTagsCommand, RemoveTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CallContext } from '../../../engine/index.ts';
import type { PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { call, tagChanges, URN_TAG } from '../call.ts';

export async function updateElbTags(ctx: CallContext<AwsClient>, arn: string, olds: PropertyValue | undefined, news: PropertyValue | undefined): Promise<void> {
  const { set, remove } = tagChanges(olds, news);
  if (set.length > 0) await call(ctx.signal, 'AddTags', (o) => ctx.client.elb.send(new AddTagsCommand({ ResourceArns: [arn], Tags: set }), o));
  if (remove.length > 0) await call(ctx.signal, 'RemoveTags', (o) => ctx.client.elb.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: remove }), o));
}

/** The tags of one ELBv2 object. */
export async function elbTags(ctx: CallContext<AwsClient>, arn: string): Promise<{ Key?: string; Value?: string }[]> {
  const r = await call(ctx.signal, 'DescribeTags', (o) => ctx.client.elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }), o));
  return r.TagDescriptions?.[0]?.Tags ?? [];
}

export async function isOurs(ctx: CallContext<AwsClient>, arn: string): Promise<boolean> {
  return (await elbTags(ctx, arn)).some((t) => t.Key === URN_TAG && t.Value === ctx.urnTag);
}
