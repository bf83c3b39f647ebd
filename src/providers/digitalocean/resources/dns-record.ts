// digitalocean:index/dnsRecord:DnsRecord {domain, type, name, value, ttl} → {id, fqdn}. The
// domain (zone) must already be in the account (pre-flight checks it). Records have no tag,
// name or comment to hold the URN tag, so adopt looks for a record with the same type, name
// and value: a twin of it would be the same record twice.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { num, str } from '../../rest/inputs.ts';

type DoDomainRecord = components['schemas']['domain_record'];
const where = (domain: string, id: string) => ({ path: { domain_name: domain, domain_record_id: Number(id) } });

export const fqdnOf = (name: string, domain: string): string => (name === '@' ? domain : `${name}.${domain}`);

function typeOf(inputs: PropertyMap): 'A' | 'AAAA' | 'CNAME' {
  const t = str(inputs, 'type');
  if (t !== 'A' && t !== 'AAAA' && t !== 'CNAME') throw new Error(`DNS record type '${t}' is not A, AAAA or CNAME`);
  return t;
}

function bodyOf(inputs: PropertyMap) {
  return { type: typeOf(inputs), name: str(inputs, 'name'), data: str(inputs, 'value'), ttl: num(inputs, 'ttl') };
}

function outputsOf(r: DoDomainRecord, domain: string): PropertyMap {
  return { domain, type: r.type, name: r.name ?? null, value: r.data ?? null, ttl: r.ttl ?? null, id: String(r.id), fqdn: fqdnOf(r.name ?? '@', domain) };
}

export const dnsRecord: ResourceType<DoClient> = {
  forceNew: ['domain', 'type', 'name'],
  async create(inputs, ctx) {
    const domain = str(inputs, 'domain');
    const made = body(await ctx.client.api.POST('/v2/domains/{domain_name}/records', { params: { path: { domain_name: domain } }, body: bodyOf(inputs), signal: ctx.signal })).domain_record!;
    return { id: String(made.id), outputs: outputsOf(made, domain) };
  },
  async read(id, state, ctx) {
    const domain = str(state.inputs, 'domain');
    const found = (await orGone(ctx.client.api.GET('/v2/domains/{domain_name}/records/{domain_record_id}', { params: where(domain, id), signal: ctx.signal }).then(body)))?.domain_record;
    if (!found) return undefined;
    const outputs = outputsOf(found, domain);
    return { outputs, inputs: { domain, type: outputs.type!, name: outputs.name!, value: outputs.value!, ttl: outputs.ttl! } };
  },
  async update(id, _olds, news, ctx) {
    const domain = str(news, 'domain');
    const updated = body(await ctx.client.api.PUT('/v2/domains/{domain_name}/records/{domain_record_id}', { params: where(domain, id), body: bodyOf(news), signal: ctx.signal })).domain_record!;
    return { outputs: outputsOf(updated, domain) };
  },
  async delete(id, state, ctx) {
    await gone(ctx.client.api.DELETE('/v2/domains/{domain_name}/records/{domain_record_id}', { params: where(str(state.inputs, 'domain'), id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const domain = str(inputs, 'domain');
    const want = bodyOf(inputs);
    const found = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/v2/domains/{domain_name}/records', { params: { path: { domain_name: domain }, query: { type: want.type, name: fqdnOf(want.name, domain), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.domain_records, total: r.meta.total };
    });
    const same = found.find((r) => r.type === want.type && r.name === want.name && r.data === want.data && !ctx.knownIds.includes(String(r.id)));
    return same ? { id: String(same.id), outputs: outputsOf(same, domain) } : undefined;
  },
};
