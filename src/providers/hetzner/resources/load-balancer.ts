// hcloud:index/loadBalancer:LoadBalancer {name, loadBalancerType, location, labels} → {id,
// ipv4}. It carries its URN tag as a label. Its network attachment, services (one per port)
// and targets are resources of their own (load-balancer-parts.ts).
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { configLabels, labelsOf, sameLabels, urnSelector } from '../marks.ts';

type LoadBalancer = components['schemas']['load_balancer'];
const where = (id: string) => ({ path: { id: Number(id) } });

function outputsOf(lb: LoadBalancer, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(lb.id), ipv4: lb.public_net.ipv4.ip ?? null, ipv6: lb.public_net.ipv6.ip ?? null };
}

export const loadBalancer: ResourceType<HetznerClient> = {
  forceNew: ['location', 'loadBalancerType'],
  timeouts: { create: 600 },
  async create(inputs, ctx) {
    const name = str(inputs, 'name');
    const r = body(await ctx.client.api.POST('/load_balancers', { body: { name, load_balancer_type: str(inputs, 'loadBalancerType'), location: str(inputs, 'location'), labels: labelsOf(inputs, ctx.urnTag), algorithm: { type: 'round_robin' } }, signal: ctx.signal }));
    await ctx.client.wait([r.action], `load balancer ${name}`, ctx.signal);
    const lb = body(await ctx.client.api.GET('/load_balancers/{id}', { params: where(String(r.load_balancer.id)), signal: ctx.signal })).load_balancer;
    return { id: String(lb.id), outputs: outputsOf(lb, inputs) };
  },
  async read(id, state, ctx) {
    const lb = (await orGone(ctx.client.api.GET('/load_balancers/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.load_balancer;
    if (!lb) return undefined;
    const labels = configLabels(lb.labels);
    const inputs = { ...state.inputs, name: lb.name, loadBalancerType: lb.load_balancer_type.name, location: lb.location.name, labels: sameLabels(labels, state.inputs.labels) ? state.inputs.labels! : labels };
    return { outputs: outputsOf(lb, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const lb = body(await ctx.client.api.PUT('/load_balancers/{id}', { params: where(id), body: { name: str(news, 'name'), labels: labelsOf(news, ctx.urnTag) }, signal: ctx.signal })).load_balancer;
    return { outputs: outputsOf(lb, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/load_balancers/{id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/load_balancers', { params: { query: { label_selector: urnSelector(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.load_balancers, next: r.meta.pagination.next_page };
    });
    const found = all.find((lb) => !ctx.knownIds.includes(String(lb.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
