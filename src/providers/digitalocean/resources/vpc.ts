// digitalocean:index/vpc:Vpc {name, region, ipRange} → {id, urn}. The URN tag is kept in the
// VPC's description. A VPC can be deleted only once nothing is in it: delete waits until the
// droplets and load balancers that were in it are gone (they are deleted first, but the
// API finishes removing them a little later).
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { urnDescription } from '../marks.ts';
import { str } from '../../rest/inputs.ts';

type Vpc = components['schemas']['vpc'];
const where = (id: string) => ({ path: { vpc_id: id } });

function outputsOf(vpc: Vpc): PropertyMap {
  return { id: vpc.id ?? null, urn: vpc.urn ?? null, name: vpc.name ?? null, region: vpc.region ?? null, ipRange: vpc.ip_range ?? null };
}

export const vpc: ResourceType<DoClient> = {
  forceNew: ['region', 'ipRange'],
  async create(inputs, ctx) {
    const vpcBody = { name: str(inputs, 'name'), region: str(inputs, 'region'), ip_range: str(inputs, 'ipRange'), description: urnDescription(ctx.urnTag) };
    const made = body(await ctx.client.api.POST('/v2/vpcs', { body: vpcBody, signal: ctx.signal })).vpc!;
    return { id: made.id!, outputs: outputsOf(made) };
  },
  async read(id, _state, ctx) {
    const found = (await orGone(ctx.client.api.GET('/v2/vpcs/{vpc_id}', { params: where(id), signal: ctx.signal }).then(body)))?.vpc;
    if (!found) return undefined;
    const outputs = outputsOf(found);
    return { outputs, inputs: { name: outputs.name!, region: outputs.region!, ipRange: outputs.ipRange! } };
  },
  async update(id, _olds, news, ctx) {
    const updated = body(await ctx.client.api.PATCH('/v2/vpcs/{vpc_id}', { params: where(id), body: { name: str(news, 'name') }, signal: ctx.signal })).vpc!;
    return { outputs: outputsOf(updated) };
  },
  async delete(id, _state, ctx) {
    await ctx.client.poll(async () => {
      const members = await orGone(ctx.client.api.GET('/v2/vpcs/{vpc_id}/members', { params: where(id), signal: ctx.signal }).then(body));
      return !members || (members.members ?? []).length === 0 ? true : undefined;
    }, ctx.signal);
    await gone(ctx.client.api.DELETE('/v2/vpcs/{vpc_id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(_inputs, ctx) {
    const marker = urnDescription(ctx.urnTag);
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/v2/vpcs', { params: { query: { page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.vpcs, total: r.meta.total };
    });
    const found = all.find((v) => v.description === marker && !ctx.knownIds.includes(v.id!));
    return found ? { id: found.id!, outputs: outputsOf(found) } : undefined;
  },
};
