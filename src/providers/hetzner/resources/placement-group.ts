// hcloud:index/placementGroup:PlacementGroup {name, type:'spread', labels} → {id}. The masters
// of a cluster share a spread group: Hetzner puts each on a different physical host (at most
// ten servers a group; pre-flight checks the count). Deleted after its servers.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { configLabels, labelsOf, sameLabels, urnSelector } from '../marks.ts';

const where = (id: string) => ({ path: { id: Number(id) } });
const outputsOf = (g: { id: number }, inputs: PropertyMap): PropertyMap => ({ ...inputs, id: String(g.id) });

function typeOf(inputs: PropertyMap): 'spread' {
  const t = str(inputs, 'type');
  if (t !== 'spread') throw new Error(`placement group type '${t}' is not spread`);
  return t;
}

export const placementGroup: ResourceType<HetznerClient> = {
  forceNew: ['type'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/placement_groups', { body: { name: str(inputs, 'name'), type: typeOf(inputs), labels: labelsOf(inputs, ctx.urnTag) }, signal: ctx.signal })).placement_group;
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const g = (await orGone(ctx.client.api.GET('/placement_groups/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.placement_group;
    if (!g) return undefined;
    const labels = configLabels(g.labels);
    const inputs = { ...state.inputs, name: g.name, type: g.type, labels: sameLabels(labels, state.inputs.labels) ? state.inputs.labels! : labels };
    return { outputs: outputsOf(g, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const g = body(await ctx.client.api.PUT('/placement_groups/{id}', { params: where(id), body: { name: str(news, 'name'), labels: labelsOf(news, ctx.urnTag) }, signal: ctx.signal })).placement_group;
    return { outputs: outputsOf(g, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/placement_groups/{id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/placement_groups', { params: { query: { label_selector: urnSelector(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.placement_groups, next: r.meta.pagination.next_page };
    });
    const found = all.find((g) => !ctx.knownIds.includes(String(g.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
