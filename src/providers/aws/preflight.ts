// Checks, before a deploy creates anything, that AWS will accept what it is about to ask for:
// the credentials work (STS GetCallerIdentity), the region exists and is enabled, the zones
// exist, every instance type is offered in its zone, every image resolves, an existing VPC
// the config names exists and has a subnet in every zone the plan uses, names that must be
// unique are free, hosted zones exist, and the vCPU and VPC quotas leave room — where Service
// Quotas reports them (when it does not, nothing is claimed and a warning says which quota
// went unchecked and why).
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeRegionsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import type { _InstanceType } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { urnTag } from '../../engine/index.ts';
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import { UNKNOWN_VALUE } from '../../state/types.ts';
import type { PropertyMap, PropertyValue } from '../../state/types.ts';
import type { AwsClient } from './client.ts';
import { call, URN_TAG } from './call.ts';
import { AwsCallError, errorCode, PERMISSION_CODES } from './errors.ts';
import { findImage } from './ec2/image-lookup.ts';
import { hostedZoneId } from './route53/record.ts';

const INSTANCE = 'aws:ec2/instance:Instance';
const IMAGE = 'aws:ec2/imageLookup:ImageLookup';
const VPC = 'aws:ec2/vpc:Vpc';
const KEY_PAIR = 'aws:ec2/keyPair:KeyPair';
const LOAD_BALANCER = 'aws:lb/loadBalancer:LoadBalancer';
const TARGET_GROUP = 'aws:lb/targetGroup:TargetGroup';
const RECORD = 'aws:route53/record:Record';

/** Service Quotas codes: running on-demand and spot vCPUs of the standard families, VPCs per region. */
export const QUOTAS = {
  onDemandStandard: { service: 'ec2', code: 'L-1216C47A', name: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances' },
  spotStandard: { service: 'ec2', code: 'L-34B43A08', name: 'All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests' },
  vpcs: { service: 'vpc', code: 'L-F678F1CE', name: 'VPCs per Region' },
} as const;

/** A value known at plan time (not a reference to something not created yet). */
const known = (v: PropertyValue | undefined): string | undefined => (typeof v === 'string' && v !== UNKNOWN_VALUE && v !== '' ? v : undefined);
const isStandardFamily = (type: string) => /^[acdhimrtz]/.test(type);

interface Check {
  client: AwsClient;
  signal: AbortSignal;
  problems: PreflightProblem[];
}

export async function preflight(client: AwsClient, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const c: Check = { client, signal: ctx.signal, problems: [] };
  const region = client.region;
  // Asked in the partition's home region: a region that does not exist has no endpoints.
  const home = client.home();

  try {
    await call(ctx.signal, 'GetCallerIdentity', (o) => home.sts.send(new GetCallerIdentityCommand({}), o));
  } catch (err) {
    c.problems.push({
      message: `the AWS credentials do not work (${client.credentialSource}): ${reason(err)}`,
      hint: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (after `aws sso login` for SSO), or access-key-id and secret-access-key under providers.aws.',
    });
    return c.problems;
  }

  const regions = await guard(c, 'the region', async () => {
    const r = await call(ctx.signal, 'DescribeRegions', (o) => home.ec2.send(new DescribeRegionsCommand({ AllRegions: true }), o));
    return r.Regions ?? [];
  });
  if (!regions) return c.problems;
  const info = regions.find((r) => r.RegionName === region);
  if (!info) {
    c.problems.push({ message: `AWS region '${region}' does not exist`, hint: `Set providers.aws region to one of: ${regions.map((r) => r.RegionName).sort().join(', ')}.` });
    return c.problems;
  }
  if (info.OptInStatus === 'not-opted-in') {
    c.problems.push({ message: `AWS region '${region}' is not enabled for this account`, hint: 'Enable it in the AWS console (Account → AWS Regions), or use another region.' });
    return c.problems;
  }

  const instances = items.filter((i) => i.type === INSTANCE);
  const zones = availableZones(c);
  await Promise.all([checkZonesAndTypes(c, items, instances, zones), checkExistingVpcs(c, items, zones), checkImages(c, items, instances), checkNames(c, items), checkZones53(c, items), checkQuotas(c, items, instances)]);
  return c.problems;
}

/** Runs one check; an AWS failure becomes a problem saying what could not be checked (and FAILED). */
const FAILED = Symbol('failed');
async function attempt<T>(c: Check, what: string, fn: () => Promise<T>, urn?: string): Promise<T | typeof FAILED> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof AwsCallError)) throw err;
    c.problems.push({ message: `could not check ${what}: ${err.message}`, urn });
    return FAILED;
  }
}

/** Like attempt, for checks whose answer is never undefined. */
async function guard<T>(c: Check, what: string, fn: () => Promise<T>, urn?: string): Promise<T | undefined> {
  const r = await attempt(c, what, fn, urn);
  return r === FAILED ? undefined : r;
}

function reason(err: unknown): string {
  const code = errorCode(err);
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test((err as Error).message)) return 'no credentials were found';
  return (err as Error).message;
}

/** The region's available zones (undefined, with a problem, when they cannot be listed). */
function availableZones(c: Check): Promise<Set<string> | undefined> {
  return guard(c, 'the availability zones', async () => {
    const r = await call(c.signal, 'DescribeAvailabilityZones', (o) => c.client.ec2.send(new DescribeAvailabilityZonesCommand({}), o));
    return new Set((r.AvailabilityZones ?? []).filter((z) => z.State === 'available').map((z) => z.ZoneName!));
  });
}

async function checkZonesAndTypes(c: Check, items: readonly PreflightItem[], instances: readonly PreflightItem[], zonesP: Promise<Set<string> | undefined>): Promise<void> {
  const zones = await zonesP;
  if (!zones) return;
  const badZones = new Set<string>();
  for (const item of items) {
    const zone = known(item.inputs['availabilityZone']);
    if (zone && !zones.has(zone) && !badZones.has(zone)) {
      badZones.add(zone);
      c.problems.push({ message: `availability zone '${zone}' does not exist in ${c.client.region} (or is not available)`, hint: `Use one of: ${[...zones].sort().join(', ')}.`, urn: item.urn });
    }
  }

  const wanted = new Map<string, PreflightItem[]>();
  for (const i of instances) {
    const type = known(i.inputs['instanceType']);
    if (type) wanted.set(type, [...(wanted.get(type) ?? []), i]);
  }
  if (wanted.size === 0) return;
  const offered = await guard(c, 'the instance types', async () => {
    const set = new Set<string>();
    let NextToken: string | undefined;
    do {
      const r = await call(c.signal, 'DescribeInstanceTypeOfferings', (o) =>
        c.client.ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: [...wanted.keys()] }], NextToken }), o),
      );
      for (const x of r.InstanceTypeOfferings ?? []) set.add(`${x.InstanceType}@${x.Location}`);
      NextToken = r.NextToken;
    } while (NextToken);
    return set;
  });
  if (!offered) return;
  for (const [type, users] of wanted) {
    const inZones = [...zones].filter((z) => offered.has(`${type}@${z}`)).sort();
    if (inZones.length === 0) {
      c.problems.push({ message: `instance type '${type}' is not offered in ${c.client.region}`, hint: 'Check the size for typos, or pick a type the region offers (aws ec2 describe-instance-type-offerings).', urn: users[0]!.urn });
      continue;
    }
    const missing = new Set(users.map((u) => known(u.inputs['availabilityZone'])).filter((z): z is string => !!z && zones.has(z) && !offered.has(`${type}@${z}`)));
    for (const z of missing) {
      c.problems.push({ message: `instance type '${type}' is not offered in zone ${z}`, hint: `It is offered in: ${inZones.join(', ')}. Move the node pool to one of those zones, or pick another size.`, urn: users.find((u) => u.inputs['availabilityZone'] === z)!.urn });
    }
  }
}

/**
 * VPCs the plan puts things in without creating them (the config's providers.aws vpc id, or
 * one an earlier deploy made): each exists, and where the plan picks a subnet by zone
 * (`{existingVpcId, availabilityZone}`, instances and the load balancer) the VPC has one there.
 * Asked by id: a wrong id is reported here, not retried as EC2's eventual consistency later.
 */
async function checkExistingVpcs(c: Check, items: readonly PreflightItem[], zonesP: Promise<Set<string> | undefined>): Promise<void> {
  const vpcs = new Map<string, PreflightItem>();
  const zonesOf = new Map<string, Map<string, PreflightItem>>();
  for (const item of items) {
    const vpcId = known(item.inputs['vpcId']);
    if (vpcId && !vpcs.has(vpcId)) vpcs.set(vpcId, item);
    const subnets = Array.isArray(item.inputs['subnets']) ? item.inputs['subnets'] : [];
    for (const spec of [item.inputs['subnetId'], ...subnets]) {
      if (!spec || typeof spec !== 'object' || Array.isArray(spec)) continue;
      const id = known((spec as PropertyMap)['existingVpcId']);
      const zone = known((spec as PropertyMap)['availabilityZone']);
      if (!id || !zone) continue;
      if (!vpcs.has(id)) vpcs.set(id, item);
      const byZone = zonesOf.get(id) ?? new Map<string, PreflightItem>();
      // Reported on a machine of the zone when there is one (its node pool is what to move).
      if (!byZone.has(zone) || (item.type === INSTANCE && byZone.get(zone)!.type !== INSTANCE)) byZone.set(zone, item);
      zonesOf.set(id, byZone);
    }
  }
  if (vpcs.size === 0) return;
  const found = new Set<string>();
  for (const id of vpcs.keys()) {
    const exists = await guard(c, `VPC ${id}`, async () => {
      try {
        const r = await call(c.signal, 'DescribeVpcs', (o) => c.client.ec2.send(new DescribeVpcsCommand({ VpcIds: [id] }), o));
        return (r.Vpcs ?? []).some((v) => v.VpcId === id);
      } catch (err) {
        if (err instanceof AwsCallError && (err.code === 'InvalidVpcID.NotFound' || err.code === 'InvalidVpcID.Malformed')) return false;
        throw err;
      }
    });
    if (exists) found.add(id);
    else if (exists === false) {
      c.problems.push({
        message: `VPC '${id}' does not exist in ${c.client.region} (for this account)`,
        hint: `Set providers.aws vpc id to a VPC of this account in ${c.client.region} (aws ec2 describe-vpcs), or use (vpc (create true) (cidr …)) to have one made.`,
      });
    }
  }
  const checked = [...zonesOf.keys()].filter((id) => found.has(id));
  if (checked.length === 0) return;
  const zones = await zonesP;
  const subnets = await guard(c, 'the subnets of the VPC', async () => {
    const out: { vpc: string; zone: string }[] = [];
    let NextToken: string | undefined;
    do {
      const r = await call(c.signal, 'DescribeSubnets', (o) => c.client.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: checked }], NextToken }), o));
      for (const s of r.Subnets ?? []) if (s.VpcId && s.AvailabilityZone && s.State !== 'pending') out.push({ vpc: s.VpcId, zone: s.AvailabilityZone });
      NextToken = r.NextToken;
    } while (NextToken);
    return out;
  });
  if (!subnets) return;
  for (const id of checked) {
    const have = [...new Set(subnets.filter((s) => s.vpc === id).map((s) => s.zone))].sort();
    for (const [zone, item] of zonesOf.get(id)!) {
      // A zone that does not exist is reported once, by the zone check.
      if (have.includes(zone) || (zones && !zones.has(zone))) continue;
      c.problems.push({
        message: `VPC ${id} has no subnet in ${zone}`,
        hint: have.length > 0 ? `Add a subnet in ${zone} to the VPC, or move the node pool to a zone where it has one: ${have.join(', ')}.` : `The VPC has no subnets: add one in ${zone} (aws ec2 create-subnet).`,
        urn: item.urn,
      });
    }
  }
}

async function checkImages(c: Check, items: readonly PreflightItem[], instances: readonly PreflightItem[]): Promise<void> {
  for (const item of items.filter((i) => i.type === IMAGE)) {
    const image = await attempt(c, 'the image', () => findImage(c.client, c.signal, item.inputs), item.urn);
    if (image === FAILED) continue;
    if (!image) {
      c.problems.push({
        message: `no image named like '${String(item.inputs['namePattern'])}' from owner(s) ${JSON.stringify(item.inputs['owners'])} in ${c.client.region}`,
        hint: 'Set the node pool image to an AMI id of this region.',
        urn: item.urn,
      });
    }
  }
  const amis = new Map<string, PreflightItem>();
  for (const i of instances) {
    const ami = known(i.inputs['ami']);
    if (ami && !amis.has(ami)) amis.set(ami, i);
  }
  for (const [ami, item] of amis) {
    try {
      const r = await call(c.signal, 'DescribeImages', (o) => c.client.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }), o));
      if ((r.Images ?? []).length > 0) continue;
    } catch (err) {
      if (!(err instanceof AwsCallError) || !/^InvalidAMIID\./.test(err.code)) throw err;
    }
    c.problems.push({ message: `image ${ami} does not exist in ${c.client.region}`, hint: 'AMI ids are per region: set the node pool image to an AMI of this region, or leave it out for Ubuntu 24.04.', urn: item.urn });
  }
}

/** Load balancer and target group names (unique in the region, at most 32 characters) and the key pair name. */
async function checkNames(c: Check, items: readonly PreflightItem[]): Promise<void> {
  for (const item of items.filter((i) => (i.type === LOAD_BALANCER || i.type === TARGET_GROUP) && i.op !== 'update')) {
    const name = known(item.inputs['name']);
    if (!name) continue;
    const what = item.type === LOAD_BALANCER ? 'load balancer' : 'target group';
    if (name.length > 32 || !/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(name) || name.startsWith('internal-')) {
      c.problems.push({ message: `${what} name '${name}' is not valid on AWS (at most 32 letters, digits and hyphens, not starting or ending with a hyphen)`, hint: 'Give the load balancer a shorter name (load-balancer name), or shorten metadata name.', urn: item.urn });
      continue;
    }
    const arn = await guard(
      c,
      `the ${what} name`,
      async () => {
        try {
          if (item.type === LOAD_BALANCER) return (await call(c.signal, 'DescribeLoadBalancers', (o) => c.client.elb.send(new DescribeLoadBalancersCommand({ Names: [name] }), o))).LoadBalancers?.[0]?.LoadBalancerArn;
          return (await call(c.signal, 'DescribeTargetGroups', (o) => c.client.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }), o))).TargetGroups?.[0]?.TargetGroupArn;
        } catch (err) {
          if (err instanceof AwsCallError && /NotFound/.test(err.code)) return undefined;
          throw err;
        }
      },
      item.urn,
    );
    if (!arn) continue;
    const tags = await guard(c, `the ${what} tags`, async () => (await call(c.signal, 'DescribeTags', (o) => c.client.elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }), o))).TagDescriptions?.[0]?.Tags ?? [], item.urn);
    if (tags && !tags.some((t) => t.Key === URN_TAG && t.Value === urnTag(item.urn))) {
      c.problems.push({ message: `a ${what} named '${name}' already exists in ${c.client.region} and was not made by this stack`, hint: 'Delete or rename it, or give this cluster another name.', urn: item.urn });
    }
  }
  for (const item of items.filter((i) => i.type === KEY_PAIR && i.op !== 'update')) {
    const name = known(item.inputs['keyName']);
    if (!name) continue;
    const pairs = await guard(
      c,
      'the key pair name',
      async () => {
        try {
          return (await call(c.signal, 'DescribeKeyPairs', (o) => c.client.ec2.send(new DescribeKeyPairsCommand({ KeyNames: [name] }), o))).KeyPairs ?? [];
        } catch (err) {
          if (err instanceof AwsCallError && err.code === 'InvalidKeyPair.NotFound') return [];
          throw err;
        }
      },
      item.urn,
    );
    const other = pairs?.find((k) => !k.Tags?.some((t) => t.Key === URN_TAG && t.Value === urnTag(item.urn)));
    if (other && item.op === 'create') {
      c.problems.push({ message: `an EC2 key pair named '${name}' already exists in ${c.client.region} and was not made by this stack`, hint: 'Delete it (aws ec2 delete-key-pair), or deploy under another stack or cluster name.', urn: item.urn });
    }
  }
}

async function checkZones53(c: Check, items: readonly PreflightItem[]): Promise<void> {
  const seen = new Set<string>();
  for (const item of items.filter((i) => i.type === RECORD)) {
    const zone = known(item.inputs['zoneName']);
    if (!zone || seen.has(zone)) continue;
    seen.add(zone);
    const id = await attempt(c, `the Route 53 zone ${zone}`, () => hostedZoneId(c.client, c.signal, zone), item.urn);
    if (id === undefined) {
      c.problems.push({ message: `there is no Route 53 hosted zone for '${zone}'`, hint: 'Create the hosted zone (and delegate the domain to it), or change network.dns.domain.', urn: item.urn });
    }
  }
}

/**
 * A quota's value. When Service Quotas does not give it (the identity may not read quotas,
 * the quota is not reported in this region, the service does not answer), nothing is claimed
 * about it and the pre-flight says which quota went unchecked and why: a warning, since the
 * deploy can still succeed.
 */
async function quota(c: Check, q: { service: string; code: string; name: string }): Promise<number | undefined> {
  const unchecked = (why: string, hint: string) => {
    c.problems.push({ severity: 'warning', message: `could not check the quota '${q.name}' (${q.code}): ${why}`, hint });
    return undefined;
  };
  const later = 'The deploy goes on; if the quota is too small, the create that exceeds it fails with the quota named.';
  try {
    const r = await call(c.signal, 'GetServiceQuota', (o) => c.client.quotas.send(new GetServiceQuotaCommand({ ServiceCode: q.service, QuotaCode: q.code }), o));
    const value = r.Quota?.Value;
    return value ?? unchecked('Service Quotas answered without a value', later);
  } catch (err) {
    if (!(err instanceof AwsCallError)) throw err;
    if (PERMISSION_CODES.has(err.code) || err.status === 403) {
      return unchecked(`access denied (${PERMISSION_CODES.has(err.code) ? err.code : 'HTTP 403'}): this AWS identity may not call servicequotas:GetServiceQuota`, `Allow servicequotas:GetServiceQuota to have quotas checked before anything is created. ${later}`);
    }
    if (err.code === 'NoSuchResourceException') return unchecked(`Service Quotas does not report it in ${c.client.region} (NoSuchResourceException)`, later);
    return unchecked(err.message, later);
  }
}

async function checkQuotas(c: Check, items: readonly PreflightItem[], instances: readonly PreflightItem[]): Promise<void> {
  const newVpcs = items.filter((i) => i.type === VPC && i.op !== 'update').length;
  if (newVpcs > 0) {
    const limit = await quota(c, QUOTAS.vpcs);
    if (limit !== undefined) {
      const r = await guard(c, 'the VPC count', () => call(c.signal, 'DescribeVpcs', (o) => c.client.ec2.send(new DescribeVpcsCommand({}), o)));
      const have = r?.Vpcs?.length ?? 0;
      if (r && have + newVpcs > limit) {
        c.problems.push({ message: `the region holds ${have} VPC(s) and the quota '${QUOTAS.vpcs.name}' is ${limit}: no room for ${newVpcs} more`, hint: `Delete unused VPCs, request a higher quota (${QUOTAS.vpcs.code}), or use an existing VPC (providers.aws vpc id).` });
      }
    }
  }

  const creating = instances.filter((i) => i.op !== 'update' && known(i.inputs['instanceType']) && isStandardFamily(known(i.inputs['instanceType'])!));
  if (creating.length === 0) return;
  // Asked together, reported in a fixed order (on-demand, then spot), whichever answers first.
  const onDemandCheck: Check = { ...c, problems: [] };
  const spotCheck: Check = { ...c, problems: [] };
  const [onDemandLimit, spotLimit] = await Promise.all([quota(onDemandCheck, QUOTAS.onDemandStandard), quota(spotCheck, QUOTAS.spotStandard)]);
  c.problems.push(...onDemandCheck.problems, ...spotCheck.problems);
  if (onDemandLimit === undefined && spotLimit === undefined) return;
  const running = await guard(c, 'the running instances', async () => {
    const out: { type: string; spot: boolean }[] = [];
    let NextToken: string | undefined;
    do {
      const r = await call(c.signal, 'DescribeInstances', (o) => c.client.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken }), o));
      for (const i of (r.Reservations ?? []).flatMap((x) => x.Instances ?? [])) out.push({ type: i.InstanceType ?? '', spot: i.InstanceLifecycle === 'spot' });
      NextToken = r.NextToken;
    } while (NextToken);
    return out.filter((i) => isStandardFamily(i.type));
  });
  if (!running) return;
  const types = [...new Set([...creating.map((i) => known(i.inputs['instanceType'])!), ...running.map((i) => i.type)])];
  const vcpus = await guard(c, 'the instance sizes', async () => {
    const m = new Map<string, number>();
    for (let k = 0; k < types.length; k += 100) {
      const r = await call(c.signal, 'DescribeInstanceTypes', (o) => c.client.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: types.slice(k, k + 100) as _InstanceType[] }), o));
      for (const t of r.InstanceTypes ?? []) m.set(t.InstanceType!, t.VCpuInfo?.DefaultVCpus ?? 0);
    }
    return m;
  });
  // Types AWS does not know are reported by the offering check.
  if (!vcpus) return;
  const sum = (list: { type: string }[]) => list.reduce((n, i) => n + (vcpus.get(i.type) ?? 0), 0);
  for (const [spot, limit, q] of [
    [false, onDemandLimit, QUOTAS.onDemandStandard],
    [true, spotLimit, QUOTAS.spotStandard],
  ] as const) {
    if (limit === undefined) continue;
    const need = sum(creating.filter((i) => (i.inputs['spot'] === true) === spot).map((i) => ({ type: known(i.inputs['instanceType'])! })));
    const used = sum(running.filter((i) => i.spot === spot));
    if (need > 0 && used + need > limit) {
      c.problems.push({
        message: `the planned ${spot ? 'spot' : 'on-demand'} instances need ${need} vCPUs of the standard families; ${used} are in use and the quota '${q.name}' is ${limit}`,
        hint: `Request a higher quota (${q.code}) in Service Quotas, or use fewer or smaller nodes${spot ? ', or turn spot-instance off' : ''}.`,
      });
    }
  }
}
