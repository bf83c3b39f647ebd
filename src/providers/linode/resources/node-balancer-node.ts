// linode:index/nodeBalancerNode:NodeBalancerNode {nodebalancerId, configId, label, address,
// port} → {id}. A back end of one config: the instance's private IPv4 address (NodeBalancers
// reach back ends in their region over 192.168.128.0/17) and the port. A config holds one
// node per address and port, so adopt finds the node with the same ones.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { num, str } from '../../rest/inputs.ts';
import { fitLabel } from '../marks.ts';

type Node = paths['/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes/{nodeId}']['get']['responses'][200]['content']['application/json'];

const config = (inputs: PropertyMap) => ({ nodeBalancerId: Number(str(inputs, 'nodebalancerId')), configId: Number(str(inputs, 'configId')) });
const where = (inputs: PropertyMap, id: string) => ({ path: { ...config(inputs), nodeId: id } });
const addressOf = (inputs: PropertyMap) => `${str(inputs, 'address')}:${num(inputs, 'port')}`;
const nodeLabel = (label: string) => fitLabel(label, 32);

function outputsOf(n: Node, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(n.id), status: n.status ?? null };
}

export const nodeBalancerNode: ResourceType<LinodeClient> = {
  forceNew: ['nodebalancerId', 'configId'],
  computedOnUpdate: ['status'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes', { params: { path: config(inputs) }, body: { label: nodeLabel(str(inputs, 'label')), address: addressOf(inputs) }, signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const n = await orGone(ctx.client.api.GET('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes/{nodeId}', { params: where(state.inputs, id), signal: ctx.signal }).then(body));
    if (!n) return undefined;
    const [address, port] = (n.address ?? '').split(/:(?=\d+$)/);
    const inputs = {
      ...state.inputs,
      label: n.label === nodeLabel(String(state.inputs.label ?? '')) ? state.inputs.label! : (n.label ?? null),
      address: address ?? null,
      port: port === undefined ? null : Number(port),
    };
    return { outputs: outputsOf(n, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const n = body(await ctx.client.api.PUT('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes/{nodeId}', { params: where(news, id), body: { label: nodeLabel(str(news, 'label')), address: addressOf(news) }, signal: ctx.signal }));
    return { outputs: outputsOf(n, news) };
  },
  async delete(id, state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes/{nodeId}', { params: where(state.inputs, id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const address = addressOf(inputs);
    const all = await allPages((page) => ctx.client.api.GET('/v4/nodebalancers/{nodeBalancerId}/configs/{configId}/nodes', { params: { path: config(inputs), query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((n) => n.address === address && !ctx.knownIds.includes(String(n.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, inputs) } : undefined;
  },
};
