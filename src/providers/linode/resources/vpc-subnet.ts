// linode:index/vpcSubnet:VpcSubnet {vpcId, label, ipv4} → {id}. A subnet has no tag or
// description; its range is unique in its VPC, so adopt finds the subnet with the same range.
// Delete waits until no instance is in it (instances are deleted first; Linode takes a moment
// to let go of their interfaces).
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { fitLabel } from '../marks.ts';

type Subnet = paths['/v4/vpcs/{vpcId}/subnets/{vpcSubnetId}']['get']['responses'][200]['content']['application/json'];

const subnetLabel = (label: string) => fitLabel(label.replace(/[_.]/g, '-'), 64);

function outputsOf(s: Subnet, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(s.id), ipv4: s.ipv4 ?? null };
}

const where = (vpcId: string, id: string) => ({ path: { vpcId: Number(vpcId), vpcSubnetId: Number(id) } });

export const vpcSubnet: ResourceType<LinodeClient> = {
  forceNew: ['vpcId', 'ipv4'],
  async create(inputs, ctx) {
    const vpcId = str(inputs, 'vpcId');
    const made = body(await ctx.client.api.POST('/v4/vpcs/{vpcId}/subnets', { params: { path: { vpcId: Number(vpcId) } }, body: { label: subnetLabel(str(inputs, 'label')), ipv4: str(inputs, 'ipv4') }, signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const found = await orGone(ctx.client.api.GET('/v4/vpcs/{vpcId}/subnets/{vpcSubnetId}', { params: where(str(state.inputs, 'vpcId'), id), signal: ctx.signal }).then(body));
    if (!found) return undefined;
    const inputs = { ...state.inputs, label: found.label === subnetLabel(String(state.inputs.label ?? '')) ? state.inputs.label! : (found.label ?? null), ipv4: found.ipv4 ?? null };
    return { outputs: outputsOf(found, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const updated = body(await ctx.client.api.PUT('/v4/vpcs/{vpcId}/subnets/{vpcSubnetId}', { params: where(str(news, 'vpcId'), id), body: { label: subnetLabel(str(news, 'label')) }, signal: ctx.signal }));
    return { outputs: outputsOf(updated, news) };
  },
  async delete(id, state, ctx) {
    const params = where(str(state.inputs, 'vpcId'), id);
    await ctx.client.poll(async () => {
      const s = await orGone(ctx.client.api.GET('/v4/vpcs/{vpcId}/subnets/{vpcSubnetId}', { params, signal: ctx.signal }).then(body));
      return !s || (s.linodes ?? []).length === 0 ? true : undefined;
    }, ctx.signal);
    await gone(ctx.client.api.DELETE('/v4/vpcs/{vpcId}/subnets/{vpcSubnetId}', { params, signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const vpcId = Number(str(inputs, 'vpcId'));
    const ipv4 = str(inputs, 'ipv4');
    const all = await allPages((page) => ctx.client.api.GET('/v4/vpcs/{vpcId}/subnets', { params: { path: { vpcId }, query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((s) => s.ipv4 === ipv4 && !ctx.knownIds.includes(String(s.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
