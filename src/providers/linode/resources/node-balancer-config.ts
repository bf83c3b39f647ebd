// linode:index/nodeBalancerConfig:NodeBalancerConfig {nodebalancerId, port, protocol, check}
// → {id}. One config per port of a NodeBalancer: a balancer cannot hold two configs on one
// port, so adopt finds the config on the same port.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { num, str } from '../../rest/inputs.ts';

type Config = paths['/v4/nodebalancers/{nodeBalancerId}/configs/{configId}']['get']['responses'][200]['content']['application/json'];
type Body = NonNullable<paths['/v4/nodebalancers/{nodeBalancerId}/configs']['post']['requestBody']>['content']['application/json'];

const where = (nb: string, id: string) => ({ path: { nodeBalancerId: Number(nb), configId: Number(id) } });

function bodyOf(inputs: PropertyMap): Body {
  const protocol = str(inputs, 'protocol');
  const check = str(inputs, 'check');
  if (protocol !== 'tcp' && protocol !== 'http' && protocol !== 'https') throw new Error(`NodeBalancer protocol '${protocol}' is not tcp, http or https`);
  if (check !== 'none' && check !== 'connection' && check !== 'http' && check !== 'http_body') throw new Error(`NodeBalancer check '${check}' is not none, connection, http or http_body`);
  return { port: num(inputs, 'port'), protocol, check };
}

function outputsOf(c: Config, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(c.id) };
}

export const nodeBalancerConfig: ResourceType<LinodeClient> = {
  forceNew: ['nodebalancerId', 'port'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v4/nodebalancers/{nodeBalancerId}/configs', { params: { path: { nodeBalancerId: Number(str(inputs, 'nodebalancerId')) } }, body: bodyOf(inputs), signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const c = await orGone(ctx.client.api.GET('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}', { params: where(str(state.inputs, 'nodebalancerId'), id), signal: ctx.signal }).then(body));
    if (!c) return undefined;
    const inputs = { ...state.inputs, port: c.port ?? null, protocol: c.protocol ?? null, check: c.check ?? null };
    return { outputs: outputsOf(c, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const c = body(await ctx.client.api.PUT('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}', { params: where(str(news, 'nodebalancerId'), id), body: bodyOf(news), signal: ctx.signal }));
    return { outputs: outputsOf(c, news) };
  },
  async delete(id, state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}', { params: where(str(state.inputs, 'nodebalancerId'), id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const nodeBalancerId = Number(str(inputs, 'nodebalancerId'));
    const port = num(inputs, 'port');
    const all = await allPages((page) => ctx.client.api.GET('/v4/nodebalancers/{nodeBalancerId}/configs', { params: { path: { nodeBalancerId }, query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((c) => c.port === port && !ctx.knownIds.includes(String(c.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
