// digitalocean:index/vpc:Vpc {name, region, ipRange} → {id, urn}. The URN tag is kept in the
// VPC's description. A VPC can be deleted only once nothing is in it: delete waits until the
// droplets and load balancers that were in it are gone (they are deleted first, but the
// API finishes removing them a little later), saying what it waits for every 10 s and giving
// up after 3 minutes with the objects still in it named (someone else's, e.g. an orphan).
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
  async delete(id, state, ctx) {
    const vpcName = `VPC '${typeof state.outputs?.['name'] === 'string' ? state.outputs['name'] : ctx.name}' (${id})`;
    const started = Date.now();
    let told = started;
    await ctx.client.poll(async () => {
      const members = await orGone(ctx.client.api.GET('/v2/vpcs/{vpc_id}/members', { params: where(id), signal: ctx.signal }).then(body));
      const left = members?.members ?? [];
      if (left.length === 0) return true;
      // The stack's own droplets and load balancers were deleted before the VPC; what is still
      // in it after a while is someone else's, and the wait says so instead of lasting the
      // delete's whole time limit in silence.
      const held = left.map((m) => `'${m.name ?? '?'}' (${m.urn ?? '?'})`).join(', ');
      const waited = Date.now() - started;
      if (waited >= ctx.client.maxWaitMs) {
        throw new Error(
          `${vpcName} still holds ${held} after ${Math.round(waited / 1000)}s; a VPC can be deleted only when it is empty, and this stack does not track ${left.length === 1 ? 'that object' : 'those objects'}. Delete or move ${left.length === 1 ? 'it' : 'them'} (DigitalOcean control panel or doctl), then run destroy again.`,
        );
      }
      if (Date.now() - told >= ctx.client.waitNoticeMs) {
        told = Date.now();
        ctx.log(`waiting for ${vpcName} to be empty (${Math.round(waited / 1000)}s of at most ${Math.round(ctx.client.maxWaitMs / 1000)}s): it still holds ${held}`, 'warning');
      }
      return undefined;
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
