// The Compute Engine objects: network, subnetwork, firewall rule, instance, address, target
// pool, forwarding rule. Names are the objects' identity (project-wide or per region/zone);
// every insert, patch and delete is an operation waited on until DONE. Instances, addresses
// and forwarding rules carry our URN tag as a label; the other objects, which take no
// labels, in their description. `adopt` finds an object by name and takes it only when it
// carries our mark.
import type { PropertyMap } from '../../state/types.ts';
import type { ResourceType } from '../../engine/index.ts';
import type { GcpClient } from './client.ts';
import { findGcp } from './errors.ts';
import { asRange, carriesUrn, labelsOf, last, sameSet, str, strList, URN_LABEL, urnDescription, userLabels, waitFor, withoutUrn, type Ctx } from './common.ts';

interface GcpObject {
  id?: string | number | { toString(): string } | null;
  name?: string | null;
  selfLink?: string | null;
  description?: string | null;
  labels?: Record<string, string> | null;
  labelFingerprint?: string | null;
}

type Op = [{ latestResponse?: unknown }, ...unknown[]];

/** A resource type for a Compute Engine object found by name. */
function computeType<T extends GcpObject>(spec: {
  kind: string;
  forceNew: string[];
  /** Marked by a label (else by the description). */
  labelled: boolean;
  get(i: PropertyMap, ctx: Ctx): Promise<[T, ...unknown[]]>;
  insert(i: PropertyMap, ctx: Ctx): Promise<Op>;
  del(i: PropertyMap, ctx: Ctx): Promise<Op>;
  /** Brings the object to `news` in place; absent: every change replaces it. */
  update?(obj: T, olds: PropertyMap, news: PropertyMap, ctx: Ctx): Promise<void>;
  outputs?(obj: T): PropertyMap;
  /** The inputs the object shows now, for the keys that can drift. */
  inputs?(obj: T, stored: PropertyMap): PropertyMap;
  /** What an adopted object holds that the plan generates (a stack rebuilt by `refresh --config` learns it here). */
  held?(obj: T, inputs: PropertyMap): PropertyMap;
  timeouts?: ResourceType['timeouts'];
}): ResourceType<GcpClient> {
  const get = async (i: PropertyMap, ctx: Ctx) => (await findGcp(() => spec.get(i, ctx)))?.[0];
  const outputsOf = (o: T, inputs: PropertyMap): PropertyMap => ({ ...inputs, id: String(o.id), selfLink: o.selfLink ?? null, ...(spec.outputs?.(o) ?? {}) });
  const ours = (o: T, urnTag: string) => (spec.labelled ? o.labels?.[URN_LABEL] === urnTag : carriesUrn(o.description, urnTag));
  const settled = async (i: PropertyMap, ctx: Ctx) => {
    const o = await get(i, ctx);
    if (!o) throw new Error(`${spec.kind} ${str(i, 'name')} is gone right after it was made`);
    return o;
  };
  return {
    forceNew: spec.forceNew,
    timeouts: spec.timeouts ?? { create: 600, update: 600, delete: 600 },
    async create(inputs, ctx) {
      const [op] = await spec.insert(inputs, ctx);
      await waitFor(op, `creating ${spec.kind} ${str(inputs, 'name')}`, ctx);
      const o = await settled(inputs, ctx);
      return { id: String(o.id), outputs: outputsOf(o, inputs) };
    },
    async read(_id, state, ctx) {
      const o = await get(state.inputs, ctx);
      if (!o) return undefined;
      const inputs = { ...state.inputs, ...(spec.labelled && 'labels' in state.inputs ? { labels: userLabels(o.labels) } : {}), ...(spec.inputs?.(o, state.inputs) ?? {}) };
      return { inputs, outputs: outputsOf(o, inputs) };
    },
    ...(spec.update
      ? {
          async update(_id: string, olds: { inputs: PropertyMap }, news: PropertyMap, ctx: Ctx) {
            await spec.update!(await settled(olds.inputs, ctx), olds.inputs, news, ctx);
            return { outputs: outputsOf(await settled(news, ctx), news) };
          },
        }
      : {}),
    async delete(_id, state, ctx) {
      if (!(await get(state.inputs, ctx))) return;
      const [op] = await spec.del(state.inputs, ctx);
      await waitFor(op, `deleting ${spec.kind} ${str(state.inputs, 'name')}`, ctx);
    },
    async adopt(inputs, ctx) {
      const o = await get(inputs, ctx);
      if (!o || !ours(o, ctx.urnTag) || ctx.knownIds.includes(String(o.id))) return undefined;
      return { id: String(o.id), outputs: outputsOf(o, { ...inputs, ...(spec.held?.(o, inputs) ?? {}) }) };
    },
  };
}

const project = (ctx: Ctx) => ctx.client.project;
const region = (i: PropertyMap) => str(i, 'region');

/** A label change (setLabels needs the current fingerprint). */
async function relabel(o: GcpObject, olds: PropertyMap, news: PropertyMap, ctx: Ctx, set: (labels: Record<string, string>, fingerprint: string) => Promise<Op>, what: string): Promise<void> {
  if (JSON.stringify(olds.labels ?? {}) === JSON.stringify(news.labels ?? {})) return;
  const [op] = await set(labelsOf(news, ctx), o.labelFingerprint ?? '');
  await waitFor(op, `labelling ${what}`, ctx);
}

export const network = computeType({
  kind: 'network',
  forceNew: ['name'],
  labelled: false,
  get: (i, ctx) => ctx.client.networks.get({ project: project(ctx), network: str(i, 'name') }),
  insert: (i, ctx) => ctx.client.networks.insert({ project: project(ctx), networkResource: { name: str(i, 'name'), autoCreateSubnetworks: false, description: urnDescription(ctx.urnTag, 'sloth-kubernetes cluster network'), routingConfig: { routingMode: 'REGIONAL' } } }),
  del: (i, ctx) => ctx.client.networks.delete({ project: project(ctx), network: str(i, 'name') }),
});

export const subnetwork = computeType({
  kind: 'subnetwork',
  forceNew: ['name', 'region', 'network', 'ipCidrRange'],
  labelled: false,
  get: (i, ctx) => ctx.client.subnetworks.get({ project: project(ctx), region: region(i), subnetwork: str(i, 'name') }),
  insert: (i, ctx) =>
    ctx.client.subnetworks.insert({ project: project(ctx), region: region(i), subnetworkResource: { name: str(i, 'name'), network: str(i, 'network'), ipCidrRange: str(i, 'ipCidrRange'), description: urnDescription(ctx.urnTag) } }),
  del: (i, ctx) => ctx.client.subnetworks.delete({ project: project(ctx), region: region(i), subnetwork: str(i, 'name') }),
});

/** The ranges a rule lets in: CIDRs and single addresses (as /32 or /128). */
const ranges = (i: PropertyMap) => [...strList(i, 'sourceRanges'), ...strList(i, 'addresses').map(asRange)];
const firewallBody = (i: PropertyMap, ctx: Ctx) => ({
  name: str(i, 'name'),
  network: str(i, 'network'),
  direction: 'INGRESS',
  priority: 1000,
  allowed: [{ IPProtocol: str(i, 'protocol'), ports: strList(i, 'ports') }],
  sourceRanges: ranges(i),
  targetTags: strList(i, 'targetTags'),
  description: urnDescription(ctx.urnTag, typeof i.description === 'string' ? i.description : ''),
});

export const firewall = computeType({
  kind: 'firewall rule',
  forceNew: ['name', 'network'],
  labelled: false,
  get: (i, ctx) => ctx.client.firewalls.get({ project: project(ctx), firewall: str(i, 'name') }),
  insert: (i, ctx) => ctx.client.firewalls.insert({ project: project(ctx), firewallResource: firewallBody(i, ctx) }),
  del: (i, ctx) => ctx.client.firewalls.delete({ project: project(ctx), firewall: str(i, 'name') }),
  async update(_o, _olds, news, ctx) {
    const [op] = await ctx.client.firewalls.update({ project: project(ctx), firewall: str(news, 'name'), firewallResource: firewallBody(news, ctx) });
    await waitFor(op, `updating firewall rule ${str(news, 'name')}`, ctx);
  },
  inputs: (f, stored) => {
    const seen = f.sourceRanges ?? [];
    const allowed = f.allowed?.[0];
    return {
      protocol: allowed?.IPProtocol ?? '',
      ports: allowed?.ports ?? [],
      targetTags: f.targetTags ?? [],
      description: withoutUrn(f.description),
      ...(sameSet(seen, ranges(stored)) ? {} : { sourceRanges: seen, addresses: [] }),
    };
  },
});

const metadataOf = (i: PropertyMap) => [
  ...(typeof i.userData === 'string' && i.userData !== '' ? [{ key: 'user-data', value: i.userData }] : []),
  ...(typeof i.sshPublicKey === 'string' && i.sshPublicKey !== '' ? [{ key: 'ssh-keys', value: `${str(i, 'sshUser')}:${i.sshPublicKey}` }] : []),
];

/** The public key an instance's `ssh-keys` metadata gives its user (the first line for it). */
function heldKey(vm: { metadata?: { items?: { key?: string | null; value?: string | null }[] | null } | null }, user: string): string | undefined {
  const lines = vm.metadata?.items?.find((m) => m.key === 'ssh-keys')?.value?.split('\n') ?? [];
  return lines.find((l) => l.startsWith(`${user}:`))?.slice(user.length + 1).trim();
}

const zone = (i: PropertyMap) => str(i, 'zone');

export const instance = computeType({
  kind: 'instance',
  forceNew: ['name', 'zone', 'machineType', 'image', 'subnetwork', 'userData', 'sshUser', 'sshPublicKey'],
  labelled: true,
  timeouts: { create: 900, update: 900, delete: 900 },
  get: (i, ctx) => ctx.client.instances.get({ project: project(ctx), zone: zone(i), instance: str(i, 'name') }),
  insert: (i, ctx) =>
    ctx.client.instances.insert({
      project: project(ctx),
      zone: zone(i),
      instanceResource: {
        name: str(i, 'name'),
        machineType: `zones/${zone(i)}/machineTypes/${str(i, 'machineType')}`,
        disks: [{ boot: true, autoDelete: true, type: 'PERSISTENT', initializeParams: { sourceImage: str(i, 'image'), diskSizeGb: '30', diskType: `zones/${zone(i)}/diskTypes/pd-balanced` } }],
        networkInterfaces: [{ subnetwork: str(i, 'subnetwork'), accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }] }],
        tags: { items: strList(i, 'networkTags') },
        labels: labelsOf(i, ctx),
        metadata: { items: metadataOf(i) },
      },
    }),
  del: (i, ctx) => ctx.client.instances.delete({ project: project(ctx), zone: zone(i), instance: str(i, 'name') }),
  async update(o, olds, news, ctx) {
    const at = { project: project(ctx), zone: zone(news), instance: str(news, 'name') };
    await relabel(o, olds, news, ctx, (labels, labelFingerprint) => ctx.client.instances.setLabels({ ...at, instancesSetLabelsRequestResource: { labels, labelFingerprint } }), `instance ${at.instance}`);
    if (!sameSet(strList(olds, 'networkTags'), strList(news, 'networkTags'))) {
      const [fresh] = await ctx.client.instances.get(at);
      const [op] = await ctx.client.instances.setTags({ ...at, tagsResource: { items: strList(news, 'networkTags'), fingerprint: fresh.tags?.fingerprint ?? '' } });
      await waitFor(op, `tagging instance ${at.instance}`, ctx);
    }
  },
  outputs: (vm) => ({
    publicIp: vm.networkInterfaces?.[0]?.accessConfigs?.[0]?.natIP ?? null,
    privateIp: vm.networkInterfaces?.[0]?.networkIP ?? null,
    status: vm.status ?? null,
    machineType: last(vm.machineType ?? ''),
  }),
  // The deploy key the instance was made with.
  held: (vm, i): PropertyMap => {
    const key = heldKey(vm, str(i, 'sshUser'));
    return key ? { sshPublicKey: key } : {};
  },
  inputs: (vm, stored) => ({
    machineType: last(vm.machineType ?? ''),
    networkTags: sameSet(vm.tags?.items ?? [], strList(stored, 'networkTags')) ? stored.networkTags! : (vm.tags?.items ?? []),
  }),
});

export const address = computeType({
  kind: 'address',
  forceNew: ['name', 'region'],
  labelled: true,
  get: (i, ctx) => ctx.client.addresses.get({ project: project(ctx), region: region(i), address: str(i, 'name') }),
  insert: (i, ctx) => ctx.client.addresses.insert({ project: project(ctx), region: region(i), addressResource: { name: str(i, 'name'), addressType: 'EXTERNAL', labels: labelsOf(i, ctx) } }),
  del: (i, ctx) => ctx.client.addresses.delete({ project: project(ctx), region: region(i), address: str(i, 'name') }),
  update: (o, olds, news, ctx) =>
    relabel(o, olds, news, ctx, (labels, labelFingerprint) => ctx.client.addresses.setLabels({ project: project(ctx), region: region(news), resource: str(news, 'name'), regionSetLabelsRequestResource: { labels, labelFingerprint } }), `address ${str(news, 'name')}`),
  outputs: (a) => ({ address: a.address ?? null }),
});

export const targetPool = computeType({
  kind: 'target pool',
  forceNew: ['name', 'region'],
  labelled: false,
  get: (i, ctx) => ctx.client.targetPools.get({ project: project(ctx), region: region(i), targetPool: str(i, 'name') }),
  insert: (i, ctx) => ctx.client.targetPools.insert({ project: project(ctx), region: region(i), targetPoolResource: { name: str(i, 'name'), instances: strList(i, 'instances'), description: urnDescription(ctx.urnTag), sessionAffinity: 'NONE' } }),
  del: (i, ctx) => ctx.client.targetPools.delete({ project: project(ctx), region: region(i), targetPool: str(i, 'name') }),
  async update(pool, _olds, news, ctx) {
    const at = { project: project(ctx), region: region(news), targetPool: str(news, 'name') };
    const want = strList(news, 'instances');
    const have = pool.instances ?? [];
    const same = (a: string, b: string) => a.endsWith(b.replace(/^https:\/\/[^/]+\/compute\/v1\//, '')) || b.endsWith(a.replace(/^https:\/\/[^/]+\/compute\/v1\//, ''));
    const add = want.filter((w) => !have.some((h) => same(h, w)));
    const remove = have.filter((h) => !want.some((w) => same(h, w)));
    if (add.length > 0) await waitFor((await ctx.client.targetPools.addInstance({ ...at, targetPoolsAddInstanceRequestResource: { instances: add.map((instance) => ({ instance })) } }))[0], `adding to target pool ${at.targetPool}`, ctx);
    if (remove.length > 0) await waitFor((await ctx.client.targetPools.removeInstance({ ...at, targetPoolsRemoveInstanceRequestResource: { instances: remove.map((instance) => ({ instance })) } }))[0], `removing from target pool ${at.targetPool}`, ctx);
  },
  inputs: (pool, stored): PropertyMap => {
    const seen = pool.instances ?? [];
    const want = strList(stored, 'instances');
    const short = (s: string) => s.replace(/^https:\/\/[^/]+\/compute\/v1\//, '');
    return sameSet(seen.map(short), want.map(short)) ? {} : { instances: seen };
  },
});

export const forwardingRule = computeType({
  kind: 'forwarding rule',
  forceNew: ['name', 'region', 'ipAddress', 'port', 'target'],
  labelled: true,
  get: (i, ctx) => ctx.client.forwardingRules.get({ project: project(ctx), region: region(i), forwardingRule: str(i, 'name') }),
  insert: (i, ctx) =>
    ctx.client.forwardingRules.insert({
      project: project(ctx),
      region: region(i),
      forwardingRuleResource: { name: str(i, 'name'), IPAddress: str(i, 'ipAddress'), IPProtocol: 'TCP', portRange: `${i.port as number}-${i.port as number}`, target: str(i, 'target'), loadBalancingScheme: 'EXTERNAL', labels: labelsOf(i, ctx) },
    }),
  del: (i, ctx) => ctx.client.forwardingRules.delete({ project: project(ctx), region: region(i), forwardingRule: str(i, 'name') }),
  update: (o, olds, news, ctx) =>
    relabel(o, olds, news, ctx, (labels, labelFingerprint) => ctx.client.forwardingRules.setLabels({ project: project(ctx), region: region(news), resource: str(news, 'name'), regionSetLabelsRequestResource: { labels, labelFingerprint } }), `forwarding rule ${str(news, 'name')}`),
});
