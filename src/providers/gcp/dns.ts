// Cloud DNS record sets (A or CNAME) through @google-cloud/dns, in the managed zone whose DNS
// name is the configured domain. Record sets take no labels: a record set is identified by
// its name and type, and `adopt` takes one only when it holds exactly our values (what an
// interrupted create leaves). Changes are atomic (deletions + additions) and waited on.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PropertyMap } from '../../state/types.ts';
import type { ResourceType } from '../../engine/index.ts';
import type { GcpClient } from './client.ts';
import { sameSet, str, strList, type Ctx } from './common.ts';

type Zone = ReturnType<GcpClient['dns']['zone']>;
interface RecordData {
  name: string;
  type: string;
  ttl: number;
  rrdatas?: string[];
}

/** The managed zone whose DNS name is `dnsName` (with its final dot), or undefined. */
export async function managedZone(dnsName: string, client: GcpClient): Promise<Zone | undefined> {
  const [zones] = await client.dns.getZones();
  return zones.find((z) => (z.metadata as { dnsName?: string }).dnsName === dnsName);
}

async function zoneOf(inputs: PropertyMap, ctx: Ctx): Promise<Zone> {
  const dnsName = str(inputs, 'zone');
  const z = await managedZone(dnsName, ctx.client);
  if (!z) throw Object.assign(new Error(`no Cloud DNS managed zone for '${dnsName}' in project ${ctx.client.project}`), { hint: `Create one (gcloud dns managed-zones create … --dns-name ${dnsName}), or set network.dns provider to where the zone is.` });
  return z;
}

/** CNAME targets are absolute names in Cloud DNS. */
const rrdatas = (i: PropertyMap): string[] => strList(i, 'rrdatas').map((v) => (str(i, 'type') === 'CNAME' && !v.endsWith('.') ? `${v}.` : v));

async function current(zone: Zone, inputs: PropertyMap): Promise<RecordData | undefined> {
  const [records] = await zone.getRecords({ name: str(inputs, 'name'), type: str(inputs, 'type') });
  return records.map((r) => r.toJSON() as RecordData).find((r) => r.name === str(inputs, 'name') && r.type === str(inputs, 'type'));
}

/** Applies a change and waits until Cloud DNS reports it done. */
async function change(zone: Zone, add: RecordData | undefined, remove: RecordData | undefined, ctx: Ctx): Promise<void> {
  const record = (r: RecordData) => zone.record(r.type.toLowerCase(), { name: r.name, ttl: r.ttl, data: r.rrdatas ?? [] });
  const [made] = await zone.createChange({ ...(add ? { add: record(add) } : {}), ...(remove ? { delete: record(remove) } : {}) });
  let status = (made.metadata as { status?: string }).status;
  for (let delay = 250; status !== 'done'; delay = Math.min(delay * 2, 5000)) {
    await sleep(delay, undefined, { signal: ctx.signal });
    const [meta] = await made.getMetadata();
    status = (meta as { status?: string }).status;
  }
}

function outputsOf(inputs: PropertyMap, zone: Zone): PropertyMap {
  return { ...inputs, id: `${zone.name}/${str(inputs, 'name')}/${str(inputs, 'type')}`, managedZone: zone.name };
}

export const recordSet: ResourceType<GcpClient> = {
  forceNew: ['zone', 'name', 'type'],
  async create(inputs, ctx) {
    const zone = await zoneOf(inputs, ctx);
    await change(zone, { name: str(inputs, 'name'), type: str(inputs, 'type'), ttl: inputs.ttl as number, rrdatas: rrdatas(inputs) }, undefined, ctx);
    const outputs = outputsOf(inputs, zone);
    return { id: outputs.id as string, outputs };
  },
  async read(_id, state, ctx) {
    const zone = await managedZone(str(state.inputs, 'zone'), ctx.client);
    const r = zone && (await current(zone, state.inputs));
    if (!zone || !r) return undefined;
    const seen = r.rrdatas ?? [];
    const inputs = { ...state.inputs, ttl: r.ttl, ...(sameSet(seen, rrdatas(state.inputs)) ? {} : { rrdatas: seen }) };
    return { inputs, outputs: outputsOf(inputs, zone) };
  },
  async update(_id, _olds, news, ctx) {
    const zone = await zoneOf(news, ctx);
    await change(zone, { name: str(news, 'name'), type: str(news, 'type'), ttl: news.ttl as number, rrdatas: rrdatas(news) }, await current(zone, news), ctx);
    return { outputs: outputsOf(news, zone) };
  },
  async delete(_id, state, ctx) {
    const zone = await managedZone(str(state.inputs, 'zone'), ctx.client);
    const r = zone && (await current(zone, state.inputs));
    if (zone && r) await change(zone, undefined, r, ctx);
  },
  async adopt(inputs, ctx) {
    const zone = await managedZone(str(inputs, 'zone'), ctx.client);
    const r = zone && (await current(zone, inputs));
    if (!zone || !r || !sameSet(r.rrdatas ?? [], rrdatas(inputs))) return undefined;
    const outputs = outputsOf(inputs, zone);
    if (ctx.knownIds.includes(outputs.id as string)) return undefined;
    return { id: outputs.id as string, outputs };
  },
};
