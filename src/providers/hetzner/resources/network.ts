// hcloud:index/network:Network {name, ipRange, labels} → {id}. Its subnets are resources of
// their own. A network can be deleted once no server or load balancer is attached (they are
// deleted first); delete waits for that.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { configLabels, labelsOf, sameLabels, urnSelector } from '../marks.ts';

type Network = components['schemas']['network'];
const where = (id: string) => ({ path: { id: Number(id) } });

function outputsOf(n: Network, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(n.id) };
}

export const network: ResourceType<HetznerClient> = {
  forceNew: ['ipRange'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/networks', { body: { name: str(inputs, 'name'), ip_range: str(inputs, 'ipRange'), labels: labelsOf(inputs, ctx.urnTag) }, signal: ctx.signal })).network!;
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const n = (await orGone(ctx.client.api.GET('/networks/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.network;
    if (!n) return undefined;
    const labels = configLabels(n.labels);
    const inputs = { ...state.inputs, name: n.name, ipRange: n.ip_range, labels: sameLabels(labels, state.inputs.labels) ? state.inputs.labels! : labels };
    return { outputs: outputsOf(n, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const n = body(await ctx.client.api.PUT('/networks/{id}', { params: where(id), body: { name: str(news, 'name'), labels: labelsOf(news, ctx.urnTag) }, signal: ctx.signal })).network!;
    return { outputs: outputsOf(n, news) };
  },
  async delete(id, _state, ctx) {
    await ctx.client.poll(async () => {
      const n = (await orGone(ctx.client.api.GET('/networks/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.network;
      return !n || (n.servers.length === 0 && (n.load_balancers ?? []).length === 0) ? true : undefined;
    }, ctx.signal);
    await gone(ctx.client.api.DELETE('/networks/{id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/networks', { params: { query: { label_selector: urnSelector(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.networks, next: r.meta.pagination.next_page };
    });
    const found = all.find((n) => !ctx.knownIds.includes(String(n.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
