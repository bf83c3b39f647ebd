// Tag updates and tag look-ups shared by the EC2 resource types.
import { CreateTagsCommand, DeleteTagsCommand } from '@aws-sdk/client-ec2';
import type { Filter } from '@aws-sdk/client-ec2';
import type { CallContext } from '../../../engine/index.ts';
import type { PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { call, tagChanges, URN_TAG } from '../call.ts';

/** Brings an EC2 object's tags from `olds` to `news` (our URN tag is never touched). */
export async function updateTags(ctx: CallContext<AwsClient>, id: string, olds: PropertyValue | undefined, news: PropertyValue | undefined): Promise<void> {
  const { set, remove } = tagChanges(olds, news);
  if (set.length > 0) await call(ctx.signal, 'CreateTags', (o) => ctx.client.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: set }), o));
  if (remove.length > 0) await call(ctx.signal, 'DeleteTags', (o) => ctx.client.ec2.send(new DeleteTagsCommand({ Resources: [id], Tags: remove.map((Key) => ({ Key })) }), o));
}

/** The filter that finds the objects created for this URN. */
export function urnFilter(urnTag: string): Filter {
  return { Name: `tag:${URN_TAG}`, Values: [urnTag] };
}

/** Picks the one object adopt may take: not already tracked, and only one. */
export function pickUntracked<T>(items: readonly T[], idOf: (t: T) => string | undefined, knownIds: readonly string[], what: string): T | undefined {
  const free = items.filter((i) => !knownIds.includes(idOf(i) ?? ''));
  if (free.length > 1) throw new Error(`found ${free.length} ${what}s tagged with the same URN (${free.map(idOf).join(', ')}); delete the extra ones by hand, then run again`);
  return free[0];
}
