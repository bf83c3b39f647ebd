// linode:index/vpc:Vpc {label, region} → {id}. The URN tag is kept in the VPC's description.
// A VPC can be deleted only once its subnets are gone (they are deleted first).
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { fitLabel, urnDescription } from '../marks.ts';

type Vpc = paths['/v4/vpcs/{vpcId}']['get']['responses'][200]['content']['application/json'];

function outputsOf(vpc: Vpc, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(vpc.id), label: inputs.label ?? vpc.label ?? null, region: vpc.region ?? null };
}

/** VPC labels: 1 to 64 letters, digits and dashes. */
const vpcLabel = (label: string) => fitLabel(label.replace(/[_.]/g, '-'), 64);

export const vpc: ResourceType<LinodeClient> = {
  forceNew: ['region'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v4/vpcs', { body: { label: vpcLabel(str(inputs, 'label')), region: str(inputs, 'region'), description: urnDescription(ctx.urnTag) }, signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const found = await orGone(ctx.client.api.GET('/v4/vpcs/{vpcId}', { params: { path: { vpcId: Number(id) } }, signal: ctx.signal }).then(body));
    if (!found) return undefined;
    const label = found.label === vpcLabel(String(state.inputs.label ?? '')) ? state.inputs.label! : (found.label ?? null);
    const inputs = { ...state.inputs, label, region: found.region ?? null };
    return { outputs: outputsOf(found, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const updated = body(await ctx.client.api.PUT('/v4/vpcs/{vpcId}', { params: { path: { vpcId: Number(id) } }, body: { label: vpcLabel(str(news, 'label')) }, signal: ctx.signal }));
    return { outputs: outputsOf(updated, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/vpcs/{vpcId}', { params: { path: { vpcId: Number(id) } }, signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const marker = urnDescription(ctx.urnTag);
    const all = await allPages((page) => ctx.client.api.GET('/v4/vpcs', { params: { query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((v) => v.description === marker && !ctx.knownIds.includes(String(v.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
