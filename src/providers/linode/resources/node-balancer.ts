// linode:index/nodeBalancer:NodeBalancer {label, region, tags} → {id, ipv4, hostname}. It
// carries its URN tag among its tags. Its configs (one per port) and their nodes are
// resources of their own.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str, strList } from '../../rest/inputs.ts';
import { fitLabel, isUrnTagName, urnTagName } from '../marks.ts';

type NodeBalancer = paths['/v4/nodebalancers/{nodeBalancerId}']['get']['responses'][200]['content']['application/json'];

const where = (id: string) => ({ path: { nodeBalancerId: Number(id) } });
/** NodeBalancer labels: 3 to 32 letters, digits, `-` and `_`. */
const nbLabel = (label: string) => fitLabel(label.replace(/\./g, '-'), 32);
const tagsOf = (inputs: PropertyMap, urnTag: string) => [...strList(inputs, 'tags'), urnTagName(urnTag)];

function outputsOf(nb: NodeBalancer, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(nb.id), ipv4: nb.ipv4 ?? null, hostname: nb.hostname ?? null };
}

export const nodeBalancer: ResourceType<LinodeClient> = {
  forceNew: ['region'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v4/nodebalancers', { body: { label: nbLabel(str(inputs, 'label')), region: str(inputs, 'region'), tags: tagsOf(inputs, ctx.urnTag) }, signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const nb = await orGone(ctx.client.api.GET('/v4/nodebalancers/{nodeBalancerId}', { params: where(id), signal: ctx.signal }).then(body));
    if (!nb) return undefined;
    const tags = (nb.tags ?? []).filter((t) => !isUrnTagName(t));
    const stored = strList(state.inputs, 'tags');
    const inputs = {
      ...state.inputs,
      label: nb.label === nbLabel(String(state.inputs.label ?? '')) ? state.inputs.label! : (nb.label ?? null),
      region: nb.region ?? null,
      tags: tags.length === stored.length && tags.every((t) => stored.includes(t)) ? state.inputs.tags! : tags,
    };
    return { outputs: outputsOf(nb, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const nb = body(await ctx.client.api.PUT('/v4/nodebalancers/{nodeBalancerId}', { params: where(id), body: { label: nbLabel(str(news, 'label')), tags: tagsOf(news, ctx.urnTag) }, signal: ctx.signal }));
    return { outputs: outputsOf(nb, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/nodebalancers/{nodeBalancerId}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const tag = urnTagName(ctx.urnTag);
    const all = await allPages((page) => ctx.client.api.GET('/v4/nodebalancers', { params: { query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((nb) => (nb.tags ?? []).includes(tag) && !ctx.knownIds.includes(String(nb.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
