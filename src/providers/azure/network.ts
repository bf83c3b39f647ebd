// The resource group and the network objects: virtual network, subnet, network security
// group and its rules, public IP, network interface, Standard load balancer. Every PUT is a
// long-running operation waited on with the SDK's poller. ARM's PUT replaces the whole
// object, so an update reads the object first and keeps what we do not manage (a virtual
// network's subnets, a security group's rules). Objects live in the cluster's own resource
// group, where names are ours; the group itself is adopted only when it carries our tag.
import type { PropertyMap } from '../../state/types.ts';
import type { CreateResult, ResourceType } from '../../engine/index.ts';
import type { AzureClient } from './client.ts';
import { findAzure, removeAzure } from './errors.ts';
import { asPrefix, call, isOurs, lro, sameSet, str, strList, tagsOf, userTags, type Ctx } from './common.ts';

type Arm = { id?: string; name?: string; location?: string; tags?: Record<string, string> };

/** Builds a resource type for an object that lives in the resource group by name. */
function armType<T extends Arm>(spec: {
  forceNew: string[];
  get(inputs: PropertyMap, ctx: Ctx): Promise<T>;
  put(inputs: PropertyMap, ctx: Ctx, existing?: T): Promise<T>;
  del(state: PropertyMap, ctx: Ctx): Promise<unknown>;
  outputs(obj: T, inputs: PropertyMap): PropertyMap;
  /** The inputs the object shows now (refresh): only the keys that can drift. */
  inputs?(obj: T, stored: PropertyMap): PropertyMap;
  /** Objects without tags (subnets, rules) are ours by their place in our resource group. */
  tagged: boolean;
  timeouts?: ResourceType['timeouts'];
}): ResourceType<AzureClient> {
  const outputsOf = (obj: T, inputs: PropertyMap): PropertyMap => ({ ...inputs, ...spec.outputs(obj, inputs), id: obj.id! });
  return {
    forceNew: spec.forceNew,
    timeouts: spec.timeouts ?? { create: 900, update: 900, delete: 900 },
    async create(inputs, ctx): Promise<CreateResult> {
      const made = await spec.put(inputs, ctx);
      return { id: made.id!, outputs: outputsOf(made, inputs) };
    },
    async read(_id, state, ctx) {
      const obj = await findAzure(() => spec.get(state.inputs, ctx));
      if (!obj) return undefined;
      const inputs = { ...state.inputs, ...(spec.tagged ? { tags: userTags(obj.tags) } : {}), ...(spec.inputs?.(obj, state.inputs) ?? {}) };
      return { outputs: outputsOf(obj, inputs), inputs };
    },
    async update(_id, _olds, news, ctx) {
      const existing = await findAzure(() => spec.get(news, ctx));
      const made = await spec.put(news, ctx, existing);
      return { outputs: outputsOf(made, news) };
    },
    async delete(_id, state, ctx) {
      await removeAzure(() => spec.del(state.inputs, ctx));
    },
    async adopt(inputs, ctx) {
      const obj = await findAzure(() => spec.get(inputs, ctx));
      if (!obj?.id || ctx.knownIds.includes(obj.id) || (spec.tagged && !isOurs(obj.tags, ctx))) return undefined;
      return { id: obj.id, outputs: outputsOf(obj, inputs) };
    },
  };
}

const rgName = (i: PropertyMap) => str(i, 'resourceGroupName');
/** ARM ids are case-insensitive (and ARM sometimes changes their case): the stored form when they name the same object. */
const sameId = (seen: string | undefined, stored: unknown): string => (seen !== undefined && typeof stored === 'string' && seen.toLowerCase() === stored.toLowerCase() ? stored : (seen ?? ''));
const subRef = (id: string) => ({ id });

export const resourceGroup: ResourceType<AzureClient> = {
  forceNew: ['name', 'location'],
  timeouts: { create: 300, update: 300, delete: 1800 },
  async create(inputs, ctx) {
    const name = str(inputs, 'name');
    const existing = await findAzure(() => ctx.client.resources.resourceGroups.get(name, call(ctx)));
    if (existing && !isOurs(existing.tags, ctx)) {
      throw Object.assign(new Error(`the resource group '${name}' already exists and was not made by this stack: sloth deletes its resource group with the cluster, so it will not use one it did not create`), {
        hint: 'Set providers.azure resource-group to a name that does not exist yet.',
      });
    }
    const made = await ctx.client.resources.resourceGroups.createOrUpdate(name, { location: str(inputs, 'location'), tags: tagsOf(inputs, ctx) }, call(ctx));
    return { id: made.id!, outputs: { ...inputs, id: made.id!, name: made.name! } };
  },
  async read(_id, state, ctx) {
    const g = await findAzure(() => ctx.client.resources.resourceGroups.get(str(state.inputs, 'name'), call(ctx)));
    if (!g) return undefined;
    const inputs = { ...state.inputs, tags: userTags(g.tags) };
    return { inputs, outputs: { ...inputs, id: g.id!, name: g.name! } };
  },
  async update(_id, _olds, news, ctx) {
    const made = await ctx.client.resources.resourceGroups.createOrUpdate(str(news, 'name'), { location: str(news, 'location'), tags: tagsOf(news, ctx) }, call(ctx));
    return { outputs: { ...news, id: made.id!, name: made.name! } };
  },
  async delete(_id, state, ctx) {
    await removeAzure(() => ctx.client.resources.resourceGroups.beginDeleteAndWait(str(state.inputs, 'name'), lro(ctx)));
  },
  async adopt(inputs, ctx) {
    const g = await findAzure(() => ctx.client.resources.resourceGroups.get(str(inputs, 'name'), call(ctx)));
    if (!g?.id || !isOurs(g.tags, ctx) || ctx.knownIds.includes(g.id)) return undefined;
    return { id: g.id, outputs: { ...inputs, id: g.id, name: g.name! } };
  },
};

export const virtualNetwork = armType({
  forceNew: ['resourceGroupName', 'name', 'location'],
  tagged: true,
  get: (i, ctx) => ctx.client.network.virtualNetworks.get(rgName(i), str(i, 'name'), call(ctx)),
  put: (i, ctx, existing) =>
    ctx.client.network.virtualNetworks.beginCreateOrUpdateAndWait(rgName(i), str(i, 'name'), { ...(existing ?? {}), location: str(i, 'location'), tags: tagsOf(i, ctx), addressSpace: { addressPrefixes: strList(i, 'addressSpaces') } }, lro(ctx)),
  del: (i, ctx) => ctx.client.network.virtualNetworks.beginDeleteAndWait(rgName(i), str(i, 'name'), lro(ctx)),
  outputs: (v) => ({ name: v.name! }),
  inputs: (v, stored) => ({ addressSpaces: sameSet(v.addressSpace?.addressPrefixes ?? [], strList(stored, 'addressSpaces')) ? stored.addressSpaces! : (v.addressSpace?.addressPrefixes ?? []) }),
});

export const subnet = armType({
  forceNew: ['resourceGroupName', 'virtualNetworkName', 'name'],
  tagged: false,
  get: (i, ctx) => ctx.client.network.subnets.get(rgName(i), str(i, 'virtualNetworkName'), str(i, 'name'), call(ctx)),
  put: (i, ctx, existing) => ctx.client.network.subnets.beginCreateOrUpdateAndWait(rgName(i), str(i, 'virtualNetworkName'), str(i, 'name'), { ...(existing ?? {}), addressPrefix: str(i, 'addressPrefix') }, lro(ctx)),
  del: (i, ctx) => ctx.client.network.subnets.beginDeleteAndWait(rgName(i), str(i, 'virtualNetworkName'), str(i, 'name'), lro(ctx)),
  outputs: () => ({}),
  inputs: (s) => ({ addressPrefix: s.addressPrefix ?? '' }),
});

export const networkSecurityGroup = armType({
  forceNew: ['resourceGroupName', 'name', 'location'],
  tagged: true,
  get: (i, ctx) => ctx.client.network.networkSecurityGroups.get(rgName(i), str(i, 'name'), call(ctx)),
  // The rules are their own resources: an update keeps them.
  put: (i, ctx, existing) => ctx.client.network.networkSecurityGroups.beginCreateOrUpdateAndWait(rgName(i), str(i, 'name'), { ...(existing ?? {}), location: str(i, 'location'), tags: tagsOf(i, ctx) }, lro(ctx)),
  del: (i, ctx) => ctx.client.network.networkSecurityGroups.beginDeleteAndWait(rgName(i), str(i, 'name'), lro(ctx)),
  outputs: (g) => ({ name: g.name! }),
});

/** The prefixes a rule lets in: CIDRs and single addresses (as /32 or /128). */
const rulePrefixes = (i: PropertyMap): string[] => [...strList(i, 'sourceAddressPrefixes'), ...strList(i, 'addresses').map(asPrefix)];

export const networkSecurityRule = armType({
  forceNew: ['resourceGroupName', 'networkSecurityGroupName', 'name'],
  tagged: false,
  get: (i, ctx) => ctx.client.network.securityRules.get(rgName(i), str(i, 'networkSecurityGroupName'), str(i, 'name'), call(ctx)),
  put: (i, ctx) =>
    ctx.client.network.securityRules.beginCreateOrUpdateAndWait(
      rgName(i),
      str(i, 'networkSecurityGroupName'),
      str(i, 'name'),
      {
        priority: i.priority as number,
        direction: 'Inbound',
        access: 'Allow',
        protocol: str(i, 'protocol'),
        sourcePortRange: '*',
        destinationPortRange: str(i, 'destinationPortRange'),
        sourceAddressPrefixes: rulePrefixes(i),
        destinationAddressPrefix: '*',
        description: typeof i.description === 'string' ? i.description : undefined,
      },
      lro(ctx),
    ),
  del: (i, ctx) => ctx.client.network.securityRules.beginDeleteAndWait(rgName(i), str(i, 'networkSecurityGroupName'), str(i, 'name'), lro(ctx)),
  outputs: () => ({}),
  inputs: (r, stored) => {
    const seen = r.sourceAddressPrefixes?.length ? r.sourceAddressPrefixes : r.sourceAddressPrefix ? [r.sourceAddressPrefix] : [];
    const same = sameSet(seen, rulePrefixes(stored)) && r.access === 'Allow' && r.direction === 'Inbound';
    return {
      priority: r.priority ?? 0,
      protocol: r.protocol ?? '',
      destinationPortRange: r.destinationPortRange ?? '',
      ...(same ? {} : { sourceAddressPrefixes: seen, addresses: [] }),
    };
  },
});

export const publicIp = armType({
  forceNew: ['resourceGroupName', 'name', 'location'],
  tagged: true,
  get: (i, ctx) => ctx.client.network.publicIPAddresses.get(rgName(i), str(i, 'name'), call(ctx)),
  put: (i, ctx, existing) =>
    ctx.client.network.publicIPAddresses.beginCreateOrUpdateAndWait(
      rgName(i),
      str(i, 'name'),
      { ...(existing ?? {}), location: str(i, 'location'), tags: tagsOf(i, ctx), sku: { name: 'Standard', tier: 'Regional' }, publicIPAllocationMethod: 'Static', publicIPAddressVersion: 'IPv4' },
      lro(ctx),
    ),
  del: (i, ctx) => ctx.client.network.publicIPAddresses.beginDeleteAndWait(rgName(i), str(i, 'name'), lro(ctx)),
  outputs: (p) => ({ ipAddress: p.ipAddress ?? null }),
});

export const networkInterface = armType({
  forceNew: ['resourceGroupName', 'name', 'location', 'subnetId'],
  tagged: true,
  get: (i, ctx) => ctx.client.network.networkInterfaces.get(rgName(i), str(i, 'name'), call(ctx)),
  put: (i, ctx) =>
    ctx.client.network.networkInterfaces.beginCreateOrUpdateAndWait(
      rgName(i),
      str(i, 'name'),
      {
        location: str(i, 'location'),
        tags: tagsOf(i, ctx),
        networkSecurityGroup: subRef(str(i, 'networkSecurityGroupId')),
        ipConfigurations: [{ name: 'primary', primary: true, privateIPAllocationMethod: 'Dynamic', subnet: subRef(str(i, 'subnetId')), publicIPAddress: subRef(str(i, 'publicIpAddressId')) }],
      },
      lro(ctx),
    ),
  del: (i, ctx) => ctx.client.network.networkInterfaces.beginDeleteAndWait(rgName(i), str(i, 'name'), lro(ctx)),
  outputs: (n) => ({ privateIpAddress: n.ipConfigurations?.[0]?.privateIPAddress ?? null }),
  inputs: (n, stored) => ({ networkSecurityGroupId: sameId(n.networkSecurityGroup?.id, stored.networkSecurityGroupId), publicIpAddressId: sameId(n.ipConfigurations?.[0]?.publicIPAddress?.id, stored.publicIpAddressId) }),
});

/** A Standard load balancer: one public frontend, a pool of private addresses, a TCP probe and rule per port. */
export const loadBalancer = armType({
  forceNew: ['resourceGroupName', 'name', 'location'],
  tagged: true,
  get: (i, ctx) => ctx.client.network.loadBalancers.get(rgName(i), str(i, 'name'), call(ctx)),
  put: (i, ctx) => {
    const id = `/subscriptions/${ctx.client.subscriptionId}/resourceGroups/${rgName(i)}/providers/Microsoft.Network/loadBalancers/${str(i, 'name')}`;
    const ports = (i.ports as number[]) ?? [];
    const vnet = subRef(str(i, 'virtualNetworkId'));
    return ctx.client.network.loadBalancers.beginCreateOrUpdateAndWait(
      rgName(i),
      str(i, 'name'),
      {
        location: str(i, 'location'),
        tags: tagsOf(i, ctx),
        sku: { name: 'Standard', tier: 'Regional' },
        frontendIPConfigurations: [{ name: 'api', publicIPAddress: subRef(str(i, 'publicIpAddressId')) }],
        backendAddressPools: [{ name: 'masters', loadBalancerBackendAddresses: (i.backends as { name: string; ipAddress: string }[]).map((b) => ({ name: b.name, ipAddress: b.ipAddress, virtualNetwork: vnet })) }],
        probes: ports.map((port) => ({ name: `tcp-${port}`, protocol: 'Tcp', port, intervalInSeconds: 5, numberOfProbes: 2 })),
        loadBalancingRules: ports.map((port) => ({
          name: `tcp-${port}`,
          protocol: 'Tcp',
          frontendPort: port,
          backendPort: port,
          frontendIPConfiguration: subRef(`${id}/frontendIPConfigurations/api`),
          backendAddressPool: subRef(`${id}/backendAddressPools/masters`),
          probe: subRef(`${id}/probes/tcp-${port}`),
          idleTimeoutInMinutes: 30,
          disableOutboundSnat: true,
        })),
      },
      lro(ctx),
    );
  },
  del: (i, ctx) => ctx.client.network.loadBalancers.beginDeleteAndWait(rgName(i), str(i, 'name'), lro(ctx)),
  outputs: () => ({}),
  inputs: (lb, stored) => {
    const backends = (lb.backendAddressPools?.[0]?.loadBalancerBackendAddresses ?? []).map((b) => ({ name: b.name ?? '', ipAddress: b.ipAddress ?? '' }));
    const storedBackends = (stored.backends as { name: string; ipAddress: string }[]) ?? [];
    const same = sameSet(backends.map((b) => `${b.name}=${b.ipAddress}`), storedBackends.map((b) => `${b.name}=${b.ipAddress}`));
    return {
      ports: (lb.loadBalancingRules ?? []).map((r) => r.frontendPort!).sort((a, b) => a - b),
      ...(same ? {} : { backends }),
    };
  },
});
