// aws:ec2/imageLookup:ImageLookup {owners, namePattern, architecture} → {imageId}
// A read-only look-up, kept in the stack so the machines keep the image they were made
// from: the newest matching image is chosen once, and a refresh does not move it (a new
// image published upstream would otherwise replace every machine). A stack rebuilt by
// `refresh --config` looks it up again (recover), so the machines that use it are found too.
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { Image } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { call, str } from '../call.ts';

type Ctx = CallContext<AwsClient>;

/** The newest available image owned by `owners` whose name matches the pattern. */
export async function findImage(client: AwsClient, signal: AbortSignal, inputs: PropertyMap): Promise<Image | undefined> {
  const owners = Array.isArray(inputs['owners']) ? inputs['owners'].map((o) => str(o)) : [];
  const r = await call(signal, 'DescribeImages', (o) =>
    client.ec2.send(
      new DescribeImagesCommand({
        Owners: owners.length ? owners : undefined,
        Filters: [
          { Name: 'name', Values: [str(inputs['namePattern'])] },
          { Name: 'architecture', Values: [str(inputs['architecture']) || 'x86_64'] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
      o,
    ),
  );
  return [...(r.Images ?? [])].sort((a, b) => String(b.CreationDate ?? '').localeCompare(String(a.CreationDate ?? '')) || String(b.Name).localeCompare(String(a.Name)))[0];
}

async function lookup(inputs: PropertyMap, ctx: Ctx) {
  const image = await findImage(ctx.client, ctx.signal, inputs);
  if (!image?.ImageId) {
    throw new Error(
      `no image named like ${str(inputs['namePattern'])} (${str(inputs['architecture'])}) from owner(s) ${JSON.stringify(inputs['owners'])} in ${ctx.client.region}; set the node pool's image to an AMI id of this region`,
    );
  }
  return { id: image.ImageId, outputs: { ...inputs, imageId: image.ImageId, imageName: image.Name ?? '', rootDeviceName: image.RootDeviceName ?? '' } };
}

export const imageLookup: ResourceType<AwsClient> = {
  forceNew: ['owners', 'namePattern', 'architecture'],
  timeouts: { create: 120, read: 60, delete: 10 },
  create: lookup,
  async read(_id, state) {
    return { outputs: state.outputs };
  },
  async delete() {
    // Nothing exists in the cloud for a look-up.
  },
  async adopt() {
    // A look-up creates nothing, so an interrupted one leaves nothing behind.
    return undefined;
  },
  recover: lookup,
};
