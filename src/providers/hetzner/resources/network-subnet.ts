// hcloud:index/networkSubnet:NetworkSubnet {networkId, type, networkZone, ipRange} → {id,
// gateway}. A subnet is part of its network (add_subnet / delete_subnet actions); its id is
// `<network id>-<range>`, and a range is unique in a network, so adopt finds it by that.
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { ApiError } from '../../rest/errors.ts';

type Subnet = components['schemas']['subnet_with_gateway'];
type SubnetType = components['schemas']['subnet']['type'];

const idOf = (networkId: string, ipRange: string) => `${networkId}-${ipRange}`;
const split = (id: string) => ({ networkId: id.slice(0, id.indexOf('-')), ipRange: id.slice(id.indexOf('-') + 1) });

function typeOf(inputs: PropertyMap): SubnetType {
  const t = str(inputs, 'type');
  if (t !== 'cloud' && t !== 'server' && t !== 'vswitch') throw new Error(`subnet type '${t}' is not cloud, server or vswitch`);
  return t;
}

async function find(networkId: string, ipRange: string, ctx: Parameters<ResourceType<HetznerClient>['read']>[2]): Promise<Subnet | undefined> {
  const n = (await orGone(ctx.client.api.GET('/networks/{id}', { params: { path: { id: Number(networkId) } }, signal: ctx.signal }).then(body)))?.network;
  return n?.subnets.find((s) => s.ip_range === ipRange);
}

const outputsOf = (s: Subnet, id: string, inputs: PropertyMap): PropertyMap => ({ ...inputs, id, gateway: s.gateway });

export const networkSubnet: ResourceType<HetznerClient> = {
  forceNew: ['networkId', 'type', 'networkZone', 'ipRange'],
  async create(inputs, ctx) {
    const networkId = str(inputs, 'networkId');
    const ipRange = str(inputs, 'ipRange');
    const r = body(await ctx.client.api.POST('/networks/{id}/actions/add_subnet', { params: { path: { id: Number(networkId) } }, body: { type: typeOf(inputs), network_zone: str(inputs, 'networkZone'), ip_range: ipRange }, signal: ctx.signal }));
    await ctx.client.wait([r.action], `subnet ${ipRange}`, ctx.signal);
    const made = await find(networkId, ipRange, ctx);
    if (!made) throw new Error(`subnet ${ipRange} of network ${networkId} is not there after it was added`);
    return { id: idOf(networkId, ipRange), outputs: outputsOf(made, idOf(networkId, ipRange), inputs) };
  },
  async read(id, state, ctx) {
    const { networkId, ipRange } = split(id);
    const s = await find(networkId, ipRange, ctx);
    if (!s) return undefined;
    const inputs = { ...state.inputs, networkId, type: s.type, networkZone: s.network_zone, ipRange };
    return { outputs: outputsOf(s, id, inputs), inputs };
  },
  async delete(id, _state, ctx) {
    const { networkId, ipRange } = split(id);
    if (!(await find(networkId, ipRange, ctx))) return;
    try {
      const r = body(await ctx.client.api.POST('/networks/{id}/actions/delete_subnet', { params: { path: { id: Number(networkId) } }, body: { ip_range: ipRange }, signal: ctx.signal }));
      await ctx.client.wait([r.action], `subnet ${ipRange}`, ctx.signal);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      throw err;
    }
  },
  async adopt(inputs, ctx) {
    const networkId = str(inputs, 'networkId');
    const ipRange = str(inputs, 'ipRange');
    const id = idOf(networkId, ipRange);
    if (ctx.knownIds.includes(id)) return undefined;
    const s = await find(networkId, ipRange, ctx);
    return s ? { id, outputs: outputsOf(s, id, inputs) } : undefined;
  },
};
