// aws:route53/record:Record {zoneName, name, type, ttl, records} → {fqdn}
// A record set is identified by zone, name and type (Route 53 has no tags on records), so an
// interrupted create is adopted when the set exists with the values we asked for.
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { PropertyMap } from '../../../state/types.ts';
import type { AwsClient } from '../client.ts';
import { call, num, str, waitFor } from '../call.ts';

type Ctx = CallContext<AwsClient>;

const dot = (name: string) => (name.endsWith('.') ? name : `${name}.`);
const undot = (name: string) => name.replace(/\.$/, '');
/** Route 53 writes `*` as \052 and other special characters in octal. */
const decode = (name: string) => name.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The id of the public hosted zone for `zoneName`, or undefined when there is none. */
export async function hostedZoneId(client: AwsClient, signal: AbortSignal, zoneName: string): Promise<string | undefined> {
  const r = await call(signal, 'ListHostedZonesByName', (o) => client.route53.send(new ListHostedZonesByNameCommand({ DNSName: dot(zoneName), MaxItems: 10 }), o));
  const zones = (r.HostedZones ?? []).filter((z) => z.Name === dot(zoneName));
  const zone = zones.find((z) => !z.Config?.PrivateZone) ?? zones[0];
  return zone?.Id?.replace(/^\/hostedzone\//, '');
}

async function zoneOf(ctx: Ctx, inputs: PropertyMap): Promise<string> {
  const zone = await hostedZoneId(ctx.client, ctx.signal, str(inputs['zoneName']));
  if (!zone) throw new Error(`there is no Route 53 hosted zone for ${str(inputs['zoneName'])}; create it (or change network.dns.domain), then run again`);
  return zone;
}

function recordSet(inputs: PropertyMap): ResourceRecordSet {
  const records = Array.isArray(inputs['records']) ? inputs['records'].map((r) => str(r)) : [];
  return { Name: dot(str(inputs['name'])), Type: str(inputs['type']) as RRType, TTL: num(inputs['ttl']) ?? 300, ResourceRecords: records.map((Value) => ({ Value })) };
}

async function current(ctx: Ctx, zoneId: string, name: string, type: string): Promise<ResourceRecordSet | undefined> {
  const r = await call(ctx.signal, 'ListResourceRecordSets', (o) =>
    ctx.client.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: dot(name), StartRecordType: type as RRType, MaxItems: 1 }), o),
  );
  const set = r.ResourceRecordSets?.[0];
  return set && decode(set.Name ?? '').toLowerCase() === dot(name).toLowerCase() && set.Type === type ? set : undefined;
}

async function change(ctx: Ctx, zoneId: string, action: 'CREATE' | 'UPSERT' | 'DELETE', set: ResourceRecordSet): Promise<void> {
  const r = await call(ctx.signal, 'ChangeResourceRecordSets', (o) =>
    ctx.client.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: 'sloth-kubernetes', Changes: [{ Action: action, ResourceRecordSet: set }] } }), o),
  );
  const changeId = r.ChangeInfo?.Id;
  if (!changeId || r.ChangeInfo?.Status === 'INSYNC') return;
  await waitFor(ctx.signal, `Route 53 change ${changeId}`, async () => {
    const c = await call(ctx.signal, 'GetChange', (o) => ctx.client.route53.send(new GetChangeCommand({ Id: changeId }), o));
    return c.ChangeInfo?.Status === 'INSYNC' ? true : undefined;
  });
}

const recordId = (zoneId: string, inputs: PropertyMap) => `${zoneId}_${undot(str(inputs['name']))}_${str(inputs['type'])}`;
const outputs = (zoneId: string, inputs: PropertyMap): PropertyMap => ({ ...inputs, id: recordId(zoneId, inputs), zoneId, fqdn: undot(str(inputs['name'])) });

export const record: ResourceType<AwsClient> = {
  forceNew: ['zoneName', 'name', 'type'],
  timeouts: { create: 600, update: 600, delete: 600, read: 120 },
  async create(inputs, ctx) {
    const zoneId = await zoneOf(ctx, inputs);
    await change(ctx, zoneId, 'CREATE', recordSet(inputs));
    return { id: recordId(zoneId, inputs), outputs: outputs(zoneId, inputs) };
  },
  async read(_id, state, ctx) {
    const zoneId = await hostedZoneId(ctx.client, ctx.signal, str(state.inputs['zoneName']));
    if (!zoneId) return undefined;
    const set = await current(ctx, zoneId, str(state.inputs['name']), str(state.inputs['type']));
    if (!set) return undefined;
    const inputs: PropertyMap = { ...state.inputs, ttl: set.TTL ?? 0, records: (set.ResourceRecords ?? []).map((r) => r.Value ?? '') };
    return { inputs, outputs: { ...state.outputs, ...outputs(zoneId, inputs) } };
  },
  async update(_id, _olds, news, ctx) {
    const zoneId = await zoneOf(ctx, news);
    await change(ctx, zoneId, 'UPSERT', recordSet(news));
    return { outputs: outputs(zoneId, news) };
  },
  async delete(_id, state, ctx) {
    const zoneId = await hostedZoneId(ctx.client, ctx.signal, str(state.inputs['zoneName']));
    if (!zoneId) return;
    // A delete must name the set exactly as it is now.
    const set = await current(ctx, zoneId, str(state.inputs['name']), str(state.inputs['type']));
    if (set) await change(ctx, zoneId, 'DELETE', set);
  },
  async adopt(inputs, ctx) {
    const zoneId = await hostedZoneId(ctx.client, ctx.signal, str(inputs['zoneName']));
    if (!zoneId) return undefined;
    const set = await current(ctx, zoneId, str(inputs['name']), str(inputs['type']));
    const want = recordSet(inputs);
    const same = set && JSON.stringify((set.ResourceRecords ?? []).map((r) => r.Value)) === JSON.stringify(want.ResourceRecords!.map((r) => r.Value));
    if (!same || ctx.knownIds.includes(recordId(zoneId, inputs))) return undefined;
    return { id: recordId(zoneId, inputs), outputs: outputs(zoneId, inputs) };
  },
};
