// aws:ec2/instance:Instance {ami, instanceType, subnetId, availabilityZone, vpcSecurityGroupIds, keyName,
//   userData (secret), associatePublicIpAddress, spot, metadataOptions, tags} → {id, publicIp, privateIp}
// IMDSv2 as the planner asks, an encrypted root volume, spot when asked. RunInstances carries
// a client token that a retry of the same create reuses (AWS then answers with the instance
// it already made); an interrupted create is found by its URN tag (adopt).
import { randomBytes } from 'node:crypto';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  ModifyInstanceAttributeCommand,
  ModifyInstanceMetadataOptionsCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Filter, Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import type { CallContext, CreateResult, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, num, str, tagMap, waitFor } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';

type Ctx = CallContext<AwsClient>;

/** Tag carrying the client token of the RunInstances call that made the instance. */
const TOKEN_TAG = 'sloth-kubernetes/client-token';
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/**
 * A subnet input is an id, or (in an existing VPC) `{existingVpcId, availabilityZone}`: then
 * the VPC's subnet in that zone is used, preferring one that gives public addresses.
 */
export async function resolveSubnet(client: AwsClient, signal: AbortSignal, value: PropertyValue | undefined): Promise<string> {
  if (typeof value === 'string') return value;
  const spec = (value ?? {}) as PropertyMap;
  const vpcId = str(spec['existingVpcId']);
  const zone = str(spec['availabilityZone']);
  const r = await call(signal, 'DescribeSubnets', (o) =>
    client.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'availability-zone', Values: [zone] }] }), o),
  );
  const subnets = [...(r.Subnets ?? [])].sort((a, b) => Number(b.MapPublicIpOnLaunch ?? false) - Number(a.MapPublicIpOnLaunch ?? false) || String(a.SubnetId).localeCompare(String(b.SubnetId)));
  if (!subnets[0]?.SubnetId) throw new Error(`VPC ${vpcId} has no subnet in ${zone}; add one there, or put the node pool in a zone that has one`);
  return subnets[0].SubnetId;
}

async function describe(ctx: Ctx, id: string): Promise<Instance | undefined> {
  try {
    const r = await call(ctx.signal, 'DescribeInstances', (o) => ctx.client.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }), o));
    return r.Reservations?.[0]?.Instances?.[0];
  } catch (err) {
    if (isNotFound(err, 'InvalidInstanceID.NotFound')) return undefined;
    throw err;
  }
}

async function findTagged(ctx: Ctx, tag: Filter): Promise<Instance[]> {
  const r = await call(ctx.signal, 'DescribeInstances', (o) =>
    ctx.client.ec2.send(new DescribeInstancesCommand({ Filters: [tag, { Name: 'instance-state-name', Values: LIVE_STATES }] }), o),
  );
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
}

/** Waits until the instance runs, then returns it as the engine records it. */
async function finish(ctx: Ctx, id: string, inputs: PropertyMap): Promise<CreateResult> {
  const running = await waitFor(ctx.signal, `instance ${id} to run`, async () => {
    const i = await describe(ctx, id);
    const state = i?.State?.Name;
    if (state === 'terminated' || state === 'shutting-down') {
      throw new Error(`instance ${id} stopped while starting (${i?.StateReason?.Message ?? state}); for a spot instance there may be no spare capacity — try another size or zone, or turn spot off`);
    }
    return state === 'running' ? i : undefined;
  });
  return { id, outputs: outputsOf(running, inputs) };
}

function outputsOf(i: Instance, inputs: PropertyMap): PropertyMap {
  return {
    ...inputs,
    id: i.InstanceId!,
    publicIp: i.PublicIpAddress ?? null,
    privateIp: i.PrivateIpAddress ?? null,
    publicDns: i.PublicDnsName ?? null,
    availabilityZone: i.Placement?.AvailabilityZone ?? str(inputs['availabilityZone']),
  };
}

/** The image's root device and its size (the root volume keeps that size, now encrypted). */
async function rootDevice(ctx: Ctx, ami: string): Promise<RootDevice> {
  const r = await call(ctx.signal, 'DescribeImages', (o) => ctx.client.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }), o));
  const image = r.Images?.[0];
  if (!image) throw new Error(`image ${ami} does not exist in ${ctx.client.region}; set the node pool image to an AMI of this region`);
  const name = image.RootDeviceName ?? '/dev/sda1';
  return { name, size: image.BlockDeviceMappings?.find((b) => b.DeviceName === name)?.Ebs?.VolumeSize };
}

export interface RootDevice {
  name: string;
  /** GiB; undefined lets AWS take the image's size. */
  size?: number;
}

export function runInstancesInput(inputs: PropertyMap, subnetId: string, root: RootDevice, token: string, urnTag: string): RunInstancesCommandInput {
  const metadata = (inputs['metadataOptions'] ?? {}) as PropertyMap;
  const tags = [...awsTags(inputs['tags'], urnTag), { Key: TOKEN_TAG, Value: token }];
  const userData = str(inputs['userData']);
  const groups = Array.isArray(inputs['vpcSecurityGroupIds']) ? inputs['vpcSecurityGroupIds'].map((g) => str(g)) : [];
  return {
    ImageId: str(inputs['ami']),
    InstanceType: str(inputs['instanceType']) as RunInstancesCommandInput['InstanceType'],
    MinCount: 1,
    MaxCount: 1,
    ClientToken: token,
    KeyName: str(inputs['keyName']) || undefined,
    UserData: userData ? Buffer.from(userData, 'utf8').toString('base64') : undefined,
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: groups, AssociatePublicIpAddress: inputs['associatePublicIpAddress'] !== false, DeleteOnTermination: true }],
    MetadataOptions: {
      HttpEndpoint: 'enabled',
      HttpTokens: (str(metadata['httpTokens']) || 'required') as 'required' | 'optional',
      HttpPutResponseHopLimit: num(metadata['httpPutResponseHopLimit']) ?? 1,
    },
    BlockDeviceMappings: [{ DeviceName: root.name, Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: root.size, DeleteOnTermination: true } }],
    ...(inputs['spot'] === true ? { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } } : {}),
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: awsTags(inputs['tags'], urnTag) },
    ],
  };
}

export const instance: ResourceType<AwsClient> = {
  forceNew: ['ami', 'instanceType', 'subnetId', 'availabilityZone', 'keyName', 'userData', 'spot', 'associatePublicIpAddress'],
  computedOnUpdate: [],
  timeouts: { create: 900, update: 600, delete: 900, read: 120 },
  async create(inputs, ctx) {
    // The same token for every retry of this create, a new one for the next create.
    let token = ctx.client.pendingTokens.get(ctx.urn);
    if (token) {
      const made = await findTagged(ctx, { Name: `tag:${TOKEN_TAG}`, Values: [token] });
      if (made[0]?.InstanceId) {
        const result = await finish(ctx, made[0].InstanceId, inputs);
        ctx.client.pendingTokens.delete(ctx.urn);
        return result;
      }
    } else {
      token = `${ctx.urnTag}-${randomBytes(8).toString('hex')}`;
      ctx.client.pendingTokens.set(ctx.urn, token);
    }
    const subnetId = await resolveSubnet(ctx.client, ctx.signal, inputs['subnetId']);
    const device = await rootDevice(ctx, str(inputs['ami']));
    const r = await call(ctx.signal, 'RunInstances', (o) => ctx.client.ec2.send(new RunInstancesCommand(runInstancesInput(inputs, subnetId, device, token, ctx.urnTag)), o));
    const id = r.Instances?.[0]?.InstanceId;
    if (!id) throw new Error('RunInstances returned no instance');
    const result = await finish(ctx, id, inputs);
    ctx.client.pendingTokens.delete(ctx.urn);
    return result;
  },
  async read(id, state, ctx) {
    const i = await describe(ctx, id);
    const s = i?.State?.Name;
    if (!i || s === 'terminated' || s === 'shutting-down') return undefined;
    // The primary interface holds the groups (moto reports them only there).
    const primary = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0) ?? i.NetworkInterfaces?.[0];
    const groups = (i.SecurityGroups?.length ? i.SecurityGroups : (primary?.Groups ?? [])).map((g) => g.GroupId ?? '');
    const inputs: PropertyMap = {
      ...state.inputs,
      ami: i.ImageId ?? '',
      instanceType: i.InstanceType ?? '',
      // An existing-VPC subnet was chosen by zone: keep the choice as the config wrote it.
      subnetId: typeof state.inputs['subnetId'] === 'string' ? (i.SubnetId ?? '') : state.inputs['subnetId']!,
      availabilityZone: i.Placement?.AvailabilityZone ?? '',
      vpcSecurityGroupIds: groups,
      keyName: i.KeyName ?? '',
      spot: i.InstanceLifecycle === 'spot',
      metadataOptions: { httpTokens: i.MetadataOptions?.HttpTokens ?? 'optional', httpPutResponseHopLimit: i.MetadataOptions?.HttpPutResponseHopLimit ?? 1 },
      tags: Object.fromEntries(Object.entries(tagMap(i.Tags)).filter(([k]) => k !== TOKEN_TAG)),
    };
    return { inputs, outputs: { ...state.outputs, ...outputsOf(i, inputs) } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    if (JSON.stringify(olds.inputs['vpcSecurityGroupIds']) !== JSON.stringify(news['vpcSecurityGroupIds'])) {
      const groups = Array.isArray(news['vpcSecurityGroupIds']) ? news['vpcSecurityGroupIds'].map((g) => str(g)) : [];
      await call(ctx.signal, 'ModifyInstanceAttribute', (o) => ctx.client.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, Groups: groups }), o));
    }
    if (JSON.stringify(olds.inputs['metadataOptions']) !== JSON.stringify(news['metadataOptions'])) {
      const m = (news['metadataOptions'] ?? {}) as PropertyMap;
      await call(ctx.signal, 'ModifyInstanceMetadataOptions', (o) =>
        ctx.client.ec2.send(
          new ModifyInstanceMetadataOptionsCommand({
            InstanceId: id,
            HttpEndpoint: 'enabled',
            HttpTokens: (str(m['httpTokens']) || 'required') as 'required' | 'optional',
            HttpPutResponseHopLimit: num(m['httpPutResponseHopLimit']) ?? 1,
          }),
          o,
        ),
      );
    }
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    try {
      await call(ctx.signal, 'TerminateInstances', (o) => ctx.client.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }), o));
    } catch (err) {
      if (isNotFound(err, 'InvalidInstanceID.NotFound')) return;
      throw err;
    }
    // Wait until it is gone, so its network interface no longer holds the security groups
    // and the subnet that are deleted after it.
    await waitFor(ctx.signal, `instance ${id} to terminate`, async () => {
      const i = await describe(ctx, id);
      return !i || i.State?.Name === 'terminated' ? true : undefined;
    });
  },
  async adopt(inputs, ctx) {
    const found = pickUntracked(await findTagged(ctx, urnFilter(ctx.urnTag)), (i) => i.InstanceId, ctx.knownIds, 'instance');
    ctx.client.pendingTokens.delete(ctx.urn);
    return found ? finish(ctx, found.InstanceId!, inputs) : undefined;
  },
};
