// linode:index/domainRecord:DomainRecord {domain, type, name, target, ttl} → {id, domainId,
// fqdn}. The domain (zone) must already be in the account (pre-flight checks it); it is found
// by name. Records have no tag or comment for the URN tag, so adopt looks for a record with
// the same type, name and target: a twin of it would be the same record twice.
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { num, str } from '../../rest/inputs.ts';

type Record_ = paths['/v4/domains/{domainId}/records/{recordId}']['get']['responses'][200]['content']['application/json'];
type RecordType = NonNullable<paths['/v4/domains/{domainId}/records']['post']['requestBody']>['content']['application/json']['type'];

/** The id of the zone named `domain`, or undefined when the account has none. */
export async function domainId(domain: string, ctx: Pick<CallContext<LinodeClient>, 'client' | 'signal'>): Promise<number | undefined> {
  const all = await allPages((page) => ctx.client.api.GET('/v4/domains', { params: { query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
  return all.find((d) => d.domain?.toLowerCase() === domain.toLowerCase())?.id;
}

async function zone(inputs: PropertyMap, ctx: CallContext<LinodeClient>): Promise<number> {
  const domain = str(inputs, 'domain');
  const id = await domainId(domain, ctx);
  if (id === undefined) throw new Error(`the DNS zone '${domain}' is not in this Linode account`);
  return id;
}

function typeOf(inputs: PropertyMap): RecordType {
  const t = str(inputs, 'type');
  if (t !== 'A' && t !== 'AAAA' && t !== 'CNAME') throw new Error(`DNS record type '${t}' is not A, AAAA or CNAME`);
  return t;
}

const bodyOf = (inputs: PropertyMap) => ({ type: typeOf(inputs), name: str(inputs, 'name'), target: str(inputs, 'target'), ttl_sec: num(inputs, 'ttl') });
/** An update changes the target and TTL (type and name replace the record). */
const changesOf = (inputs: PropertyMap) => ({ target: str(inputs, 'target'), ttl_sec: num(inputs, 'ttl') });
const fqdnOf = (name: string, domain: string) => (name === '' ? domain : `${name}.${domain}`);

function outputsOf(r: Record_, zoneId: number, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(r.id), domainId: String(zoneId), fqdn: fqdnOf(r.name ?? '', str(inputs, 'domain')) };
}

const where = (zoneId: number, id: string) => ({ path: { domainId: zoneId, recordId: Number(id) } });

export const domainRecord: ResourceType<LinodeClient> = {
  forceNew: ['domain', 'type', 'name'],
  async create(inputs, ctx) {
    const zoneId = await zone(inputs, ctx);
    const made = body(await ctx.client.api.POST('/v4/domains/{domainId}/records', { params: { path: { domainId: zoneId } }, body: bodyOf(inputs), signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, zoneId, inputs) };
  },
  async read(id, state, ctx) {
    const zoneId = Number(state.outputs.domainId);
    const r = await orGone(ctx.client.api.GET('/v4/domains/{domainId}/records/{recordId}', { params: where(zoneId, id), signal: ctx.signal }).then(body));
    if (!r) return undefined;
    const inputs = { ...state.inputs, type: r.type ?? null, name: r.name ?? null, target: r.target ?? null, ttl: r.ttl_sec ?? null };
    return { outputs: outputsOf(r, zoneId, inputs), inputs };
  },
  async update(id, olds, news, ctx) {
    const zoneId = Number(olds.outputs.domainId);
    const r = body(await ctx.client.api.PUT('/v4/domains/{domainId}/records/{recordId}', { params: where(zoneId, id), body: changesOf(news), signal: ctx.signal }));
    return { outputs: outputsOf(r, zoneId, news) };
  },
  async delete(id, state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/domains/{domainId}/records/{recordId}', { params: where(Number(state.outputs.domainId), id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const zoneId = await zone(inputs, ctx);
    const want = bodyOf(inputs);
    const all = await allPages((page) => ctx.client.api.GET('/v4/domains/{domainId}/records', { params: { path: { domainId: zoneId }, query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((r) => r.type === want.type && r.name === want.name && r.target === want.target && !ctx.knownIds.includes(String(r.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, zoneId, inputs) } : undefined;
  },
};
