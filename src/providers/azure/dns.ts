// Azure DNS record sets (A or CNAME) in a zone found by name in the subscription. A record
// set carries our URN tag in its metadata; the record set's name and type are its identity.
import type { RecordSet } from '@azure/arm-dns';
import type { PropertyMap } from '../../state/types.ts';
import type { ResourceType } from '../../engine/index.ts';
import type { AzureClient } from './client.ts';
import { findAzure, removeAzure } from './errors.ts';
import { call, resourceGroupOf, sameSet, str, strList, type Ctx } from './common.ts';

/** Record set metadata keys are plain words: the URN tag under this one. */
const URN_KEY = 'slothurn';

/** The resource group holding the zone (by its name), or an error saying what to do. */
export async function zoneGroup(zone: string, ctx: { client: AzureClient; signal: AbortSignal }): Promise<string | undefined> {
  for await (const z of ctx.client.dns.zones.list({ abortSignal: ctx.signal })) if (z.name === zone && z.id) return resourceGroupOf(z.id);
  return undefined;
}

async function groupOf(inputs: PropertyMap, ctx: Ctx): Promise<string> {
  if (typeof inputs.zoneResourceGroup === 'string') return inputs.zoneResourceGroup;
  const zone = str(inputs, 'zoneName');
  const group = await zoneGroup(zone, ctx);
  if (!group) throw Object.assign(new Error(`the DNS zone '${zone}' is not in Azure subscription ${ctx.client.subscriptionId}`), { hint: `Create it (az network dns zone create -n ${zone} -g <group>), or set network.dns provider to where the zone is.` });
  return group;
}

type Kind = 'A' | 'CNAME';
const kind = (i: PropertyMap) => str(i, 'type') as Kind;
const valuesOf = (r: RecordSet): string[] => (r.aRecords ?? []).map((a) => a.ipv4Address ?? '').concat(r.cnameRecord?.cname ? [r.cnameRecord.cname] : []);

function outputsOf(r: RecordSet, inputs: PropertyMap, group: string): PropertyMap {
  return { ...inputs, id: r.id!, fqdn: (r.fqdn ?? '').replace(/\.$/, ''), zoneResourceGroup: group };
}

async function get(inputs: PropertyMap, group: string, ctx: Ctx): Promise<RecordSet | undefined> {
  return findAzure(() => ctx.client.dns.recordSets.get(group, str(inputs, 'zoneName'), str(inputs, 'name'), kind(inputs), call(ctx)));
}

async function put(inputs: PropertyMap, ctx: Ctx): Promise<PropertyMap> {
  const group = await groupOf(inputs, ctx);
  const values = strList(inputs, 'records');
  const body: RecordSet = {
    ttl: inputs.ttl as number,
    metadata: { [URN_KEY]: ctx.urnTag },
    ...(kind(inputs) === 'A' ? { aRecords: values.map((ipv4Address) => ({ ipv4Address })) } : { cnameRecord: { cname: values[0] } }),
  };
  const r = await ctx.client.dns.recordSets.createOrUpdate(group, str(inputs, 'zoneName'), str(inputs, 'name'), kind(inputs), body, call(ctx));
  return outputsOf(r, inputs, group);
}

export const recordSet: ResourceType<AzureClient> = {
  forceNew: ['zoneName', 'name', 'type'],
  async create(inputs, ctx) {
    const outputs = await put(inputs, ctx);
    return { id: outputs.id as string, outputs };
  },
  async read(_id, state, ctx) {
    const group = await groupOf(state.outputs, ctx);
    const r = await get(state.inputs, group, ctx);
    if (!r) return undefined;
    const seen = valuesOf(r);
    const inputs = { ...state.inputs, ttl: r.ttl ?? 0, records: sameSet(seen, strList(state.inputs, 'records')) ? state.inputs.records! : seen };
    return { inputs, outputs: outputsOf(r, inputs, group) };
  },
  async update(_id, _olds, news, ctx) {
    return { outputs: await put(news, ctx) };
  },
  async delete(_id, state, ctx) {
    const group = await groupOf(state.outputs, ctx);
    await removeAzure(() => ctx.client.dns.recordSets.delete(group, str(state.inputs, 'zoneName'), str(state.inputs, 'name'), kind(state.inputs), call(ctx)));
  },
  async adopt(inputs, ctx) {
    const group = await zoneGroup(str(inputs, 'zoneName'), ctx);
    if (!group) return undefined;
    const r = await get(inputs, group, ctx);
    if (!r?.id || r.metadata?.[URN_KEY] !== ctx.urnTag || ctx.knownIds.includes(r.id)) return undefined;
    return { id: r.id, outputs: outputsOf(r, inputs, group) };
  },
};
