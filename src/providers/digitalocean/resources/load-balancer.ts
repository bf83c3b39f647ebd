// digitalocean:index/loadBalancer:LoadBalancer {name, region, vpcUuid, dropletTag,
// forwardingRules, healthcheck} → {id, ip}. It targets droplets by tag. Its name carries a
// short form of the URN tag (no tags or description on load balancers). Create waits until
// the balancer is active, when its address is known.
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { seg } from '../client.ts';
import type { DoLoadBalancer } from '../api.ts';
import { list, nameSuffix, num, optStr, str, withSuffix, withoutSuffix } from '../marks.ts';

type Ctx = CallContext<DoClient>;
const path = (id: string) => `/v2/load_balancers/${seg(id)}`;

function bodyOf(inputs: PropertyMap, urnTag: string) {
  const health = inputs.healthcheck as PropertyMap | undefined;
  const vpcUuid = optStr(inputs, 'vpcUuid');
  return {
    name: withSuffix(str(inputs, 'name'), urnTag),
    region: str(inputs, 'region'),
    tag: str(inputs, 'dropletTag'),
    ...(vpcUuid ? { vpc_uuid: vpcUuid } : {}),
    forwarding_rules: list(inputs, 'forwardingRules').map((r) => ({
      entry_protocol: str(r, 'entryProtocol'),
      entry_port: num(r, 'entryPort'),
      target_protocol: str(r, 'targetProtocol'),
      target_port: num(r, 'targetPort'),
    })),
    ...(health ? { health_check: { protocol: str(health, 'protocol'), port: num(health, 'port') } } : {}),
  };
}

function inputsOf(lb: DoLoadBalancer, stored: PropertyMap): PropertyMap {
  return {
    ...stored,
    name: withoutSuffix(lb.name),
    region: lb.region.slug,
    ...(lb.vpc_uuid ? { vpcUuid: lb.vpc_uuid } : {}),
    ...(lb.tag ? { dropletTag: lb.tag } : {}),
    forwardingRules: lb.forwarding_rules.map((r) => ({ entryPort: r.entry_port, entryProtocol: r.entry_protocol, targetPort: r.target_port, targetProtocol: r.target_protocol })),
    ...(lb.health_check && stored.healthcheck ? { healthcheck: { port: lb.health_check.port ?? null, protocol: lb.health_check.protocol ?? null } } : {}),
  };
}

function outputsOf(lb: DoLoadBalancer, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: lb.id, ip: lb.ip, status: lb.status };
}

class LoadBalancerFailed extends Error {
  constructor(id: string) {
    super(`load balancer ${id} failed to start (status errored)`);
    this.name = 'LoadBalancerFailed';
  }
}

async function untilActive(id: string, ctx: Ctx): Promise<DoLoadBalancer> {
  return ctx.client.poll(async () => {
    const found = await ctx.client.find<{ load_balancer: DoLoadBalancer }>(path(id), { signal: ctx.signal });
    if (!found) throw new Error(`load balancer ${id} disappeared while it was being created`);
    if (found.load_balancer.status === 'errored') throw new LoadBalancerFailed(id);
    return found.load_balancer.status === 'active' ? found.load_balancer : undefined;
  }, ctx.signal);
}

export const loadBalancer: ResourceType<DoClient> = {
  forceNew: ['region', 'vpcUuid'],
  computedOnUpdate: ['status'],
  timeouts: { create: 900, update: 600 },
  async create(inputs, ctx) {
    const { load_balancer: made } = await ctx.client.request<{ load_balancer: DoLoadBalancer }>('POST', '/v2/load_balancers', { body: bodyOf(inputs, ctx.urnTag), signal: ctx.signal });
    let ready: DoLoadBalancer;
    try {
      ready = await untilActive(made.id, ctx);
    } catch (err) {
      if (!(err instanceof LoadBalancerFailed)) throw err;
      // An errored balancer serves nothing: remove it, so adopt finds nothing to keep.
      await ctx.client.remove(path(made.id), { signal: ctx.signal });
      throw err;
    }
    return { id: ready.id, outputs: outputsOf(ready, inputs) };
  },
  async read(id, state, ctx) {
    const found = await ctx.client.find<{ load_balancer: DoLoadBalancer }>(path(id), { signal: ctx.signal });
    if (!found) return undefined;
    const inputs = inputsOf(found.load_balancer, state.inputs);
    return { outputs: outputsOf(found.load_balancer, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    await ctx.client.request('PUT', path(id), { body: bodyOf(news, ctx.urnTag), signal: ctx.signal });
    const ready = await untilActive(id, ctx);
    return { outputs: outputsOf(ready, news) };
  },
  async delete(id, _state, ctx) {
    await ctx.client.remove(path(id), { signal: ctx.signal });
  },
  async adopt(inputs, ctx) {
    const suffix = nameSuffix(ctx.urnTag);
    const all = await ctx.client.list<DoLoadBalancer>('/v2/load_balancers', 'load_balancers', { signal: ctx.signal });
    const found = all.find((lb) => lb.name.endsWith(suffix) && !ctx.knownIds.includes(lb.id));
    if (!found) return undefined;
    try {
      const ready = found.status === 'active' ? found : await untilActive(found.id, ctx);
      return { id: ready.id, outputs: outputsOf(ready, inputs) };
    } catch (err) {
      if (!(err instanceof LoadBalancerFailed)) throw err;
      ctx.log(`load balancer ${found.id}, left by an interrupted run, failed to start: deleting it`);
      await ctx.client.remove(path(found.id), { signal: ctx.signal });
      return undefined;
    }
  },
};
