// digitalocean:index/dnsRecord:DnsRecord {domain, type, name, value, ttl} → {id, fqdn}. The
// domain (zone) must already be in the account (pre-flight checks it). Records have no tag,
// name or comment to hold the URN tag, so adopt looks for a record with the same type, name
// and value: a twin of it would be the same record twice.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { seg } from '../client.ts';
import type { DoDomainRecord } from '../api.ts';
import { num, str } from '../marks.ts';

const records = (domain: string) => `/v2/domains/${seg(domain)}/records`;
const path = (domain: string, id: string) => `${records(domain)}/${seg(id)}`;

export const fqdnOf = (name: string, domain: string): string => (name === '@' ? domain : `${name}.${domain}`);

function bodyOf(inputs: PropertyMap) {
  return { type: str(inputs, 'type'), name: str(inputs, 'name'), data: str(inputs, 'value'), ttl: num(inputs, 'ttl') };
}

function outputsOf(r: DoDomainRecord, domain: string): PropertyMap {
  return { domain, type: r.type, name: r.name, value: r.data, ttl: r.ttl, id: String(r.id), fqdn: fqdnOf(r.name, domain) };
}

export const dnsRecord: ResourceType<DoClient> = {
  forceNew: ['domain', 'type', 'name'],
  async create(inputs, ctx) {
    const domain = str(inputs, 'domain');
    const { domain_record: made } = await ctx.client.request<{ domain_record: DoDomainRecord }>('POST', records(domain), { body: bodyOf(inputs), signal: ctx.signal });
    return { id: String(made.id), outputs: outputsOf(made, domain) };
  },
  async read(id, state, ctx) {
    const domain = str(state.inputs, 'domain');
    const found = await ctx.client.find<{ domain_record: DoDomainRecord }>(path(domain, id), { signal: ctx.signal });
    if (!found) return undefined;
    const outputs = outputsOf(found.domain_record, domain);
    return { outputs, inputs: { domain, type: outputs.type!, name: outputs.name!, value: outputs.value!, ttl: outputs.ttl! } };
  },
  async update(id, _olds, news, ctx) {
    const domain = str(news, 'domain');
    const { domain_record: updated } = await ctx.client.request<{ domain_record: DoDomainRecord }>('PUT', path(domain, id), { body: bodyOf(news), signal: ctx.signal });
    return { outputs: outputsOf(updated, domain) };
  },
  async delete(id, state, ctx) {
    await ctx.client.remove(path(str(state.inputs, 'domain'), id), { signal: ctx.signal });
  },
  async adopt(inputs, ctx) {
    const domain = str(inputs, 'domain');
    const body = bodyOf(inputs);
    const found = await ctx.client.list<DoDomainRecord>(records(domain), 'domain_records', { query: { type: body.type, name: fqdnOf(body.name, domain) }, signal: ctx.signal });
    const same = found.find((r) => r.type === body.type && r.name === body.name && r.data === body.data && !ctx.knownIds.includes(String(r.id)));
    return same ? { id: String(same.id), outputs: outputsOf(same, domain) } : undefined;
  },
};
