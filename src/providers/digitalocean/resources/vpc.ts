// digitalocean:index/vpc:Vpc {name, region, ipRange} → {id, urn}. The URN tag is kept in the
// VPC's description. A VPC can be deleted only once nothing is in it: delete waits until the
// droplets and load balancers that were in it are gone (they are deleted first, but the
// API finishes removing them a little later).
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { seg } from '../client.ts';
import type { DoVpc } from '../api.ts';
import { str, urnDescription } from '../marks.ts';

const path = (id: string) => `/v2/vpcs/${seg(id)}`;

function outputsOf(vpc: DoVpc): PropertyMap {
  return { id: vpc.id, urn: vpc.urn, name: vpc.name, region: vpc.region, ipRange: vpc.ip_range };
}

export const vpc: ResourceType<DoClient> = {
  forceNew: ['region', 'ipRange'],
  async create(inputs, ctx) {
    const body = { name: str(inputs, 'name'), region: str(inputs, 'region'), ip_range: str(inputs, 'ipRange'), description: urnDescription(ctx.urnTag) };
    const { vpc: made } = await ctx.client.request<{ vpc: DoVpc }>('POST', '/v2/vpcs', { body, signal: ctx.signal });
    return { id: made.id, outputs: outputsOf(made) };
  },
  async read(id, _state, ctx) {
    const found = await ctx.client.find<{ vpc: DoVpc }>(path(id), { signal: ctx.signal });
    if (!found) return undefined;
    const outputs = outputsOf(found.vpc);
    return { outputs, inputs: { name: outputs.name!, region: outputs.region!, ipRange: outputs.ipRange! } };
  },
  async update(id, _olds, news, ctx) {
    const { vpc: updated } = await ctx.client.request<{ vpc: DoVpc }>('PATCH', path(id), { body: { name: str(news, 'name') }, signal: ctx.signal });
    return { outputs: outputsOf(updated) };
  },
  async delete(id, _state, ctx) {
    await ctx.client.poll(async () => {
      const members = await ctx.client.find<{ members: unknown[] }>(`${path(id)}/members`, { signal: ctx.signal });
      return !members || members.members.length === 0 ? true : undefined;
    }, ctx.signal);
    await ctx.client.remove(path(id), { signal: ctx.signal });
  },
  async adopt(_inputs, ctx) {
    const marker = urnDescription(ctx.urnTag);
    const all = await ctx.client.list<DoVpc>('/v2/vpcs', 'vpcs', { signal: ctx.signal });
    const found = all.find((v) => v.description === marker && !ctx.knownIds.includes(v.id));
    return found ? { id: found.id, outputs: outputsOf(found) } : undefined;
  },
};
