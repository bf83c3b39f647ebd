// digitalocean:index/loadBalancer:LoadBalancer {name, region, vpcUuid, dropletTag,
// forwardingRules, healthcheck} → {id, ip}. It targets droplets by tag. Its name carries a
// short form of the URN tag (no tags or description on load balancers). Create waits until
// the balancer is active, when its address is known.
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { nameSuffix, withSuffix, withoutSuffix } from '../marks.ts';
import { list, num, optStr, str } from '../../rest/inputs.ts';

type Ctx = CallContext<DoClient>;
type DoLoadBalancer = components['schemas']['load_balancer'];
type Rule = components['schemas']['forwarding_rule'];
const where = (id: string) => ({ path: { lb_id: id } });

function entryProtocol(r: PropertyMap): Rule['entry_protocol'] {
  const p = str(r, 'entryProtocol');
  if (p !== 'tcp' && p !== 'udp' && p !== 'http' && p !== 'https' && p !== 'http2' && p !== 'http3') throw new Error(`forwarding rule protocol '${p}' is not known`);
  return p;
}

function targetProtocol(r: PropertyMap): Rule['target_protocol'] {
  const p = str(r, 'targetProtocol');
  if (p !== 'tcp' && p !== 'udp' && p !== 'http' && p !== 'https' && p !== 'http2') throw new Error(`forwarding rule target protocol '${p}' is not known`);
  return p;
}

function healthProtocol(h: PropertyMap): 'http' | 'https' | 'tcp' {
  const p = str(h, 'protocol');
  if (p !== 'tcp' && p !== 'http' && p !== 'https') throw new Error(`health check protocol '${p}' is not tcp, http or https`);
  return p;
}

/**
 * The contract lists the regions that existed when it was written; DigitalOcean opens new
 * ones since. Which regions exist is checked against the live /v2/regions by the pre-flight,
 * so any slug is sent as the contract's region type.
 */
const regionSlug = (slug: string) => slug as components['schemas']['region_slug'];

const get = async (id: string, ctx: Ctx) => (await orGone(ctx.client.api.GET('/v2/load_balancers/{lb_id}', { params: where(id), signal: ctx.signal }).then(body)))?.load_balancer;

function bodyOf(inputs: PropertyMap, urnTag: string) {
  const health = inputs.healthcheck as PropertyMap | undefined;
  const vpcUuid = optStr(inputs, 'vpcUuid');
  return {
    name: withSuffix(str(inputs, 'name'), urnTag),
    region: regionSlug(str(inputs, 'region')),
    tag: str(inputs, 'dropletTag'),
    ...(vpcUuid ? { vpc_uuid: vpcUuid } : {}),
    forwarding_rules: list(inputs, 'forwardingRules').map((r) => ({
      entry_protocol: entryProtocol(r),
      entry_port: num(r, 'entryPort'),
      target_protocol: targetProtocol(r),
      target_port: num(r, 'targetPort'),
    })),
    ...(health ? { health_check: { protocol: healthProtocol(health), port: num(health, 'port') } } : {}),
  };
}

function inputsOf(lb: DoLoadBalancer, stored: PropertyMap): PropertyMap {
  return {
    ...stored,
    name: withoutSuffix(lb.name ?? ''),
    region: lb.region?.slug ?? null,
    ...(lb.vpc_uuid ? { vpcUuid: lb.vpc_uuid } : {}),
    ...(lb.tag ? { dropletTag: lb.tag } : {}),
    forwardingRules: lb.forwarding_rules.map((r) => ({ entryPort: r.entry_port, entryProtocol: r.entry_protocol, targetPort: r.target_port, targetProtocol: r.target_protocol })),
    ...(lb.health_check && stored.healthcheck ? { healthcheck: { port: lb.health_check.port ?? null, protocol: lb.health_check.protocol ?? null } } : {}),
  };
}

function outputsOf(lb: DoLoadBalancer, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: lb.id ?? null, ip: lb.ip ?? null, status: lb.status ?? null };
}

class LoadBalancerFailed extends Error {
  constructor(id: string) {
    super(`load balancer ${id} failed to start (status errored)`);
    this.name = 'LoadBalancerFailed';
  }
}

async function untilActive(id: string, ctx: Ctx): Promise<DoLoadBalancer> {
  return ctx.client.poll(async () => {
    const found = await get(id, ctx);
    if (!found) throw new Error(`load balancer ${id} disappeared while it was being created`);
    if (found.status === 'errored') throw new LoadBalancerFailed(id);
    return found.status === 'active' ? found : undefined;
  }, ctx.signal);
}

export const loadBalancer: ResourceType<DoClient> = {
  forceNew: ['region', 'vpcUuid'],
  computedOnUpdate: ['status'],
  timeouts: { create: 900, update: 600 },
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v2/load_balancers', { body: bodyOf(inputs, ctx.urnTag), signal: ctx.signal })).load_balancer!;
    let ready: DoLoadBalancer;
    try {
      ready = await untilActive(made.id!, ctx);
    } catch (err) {
      if (!(err instanceof LoadBalancerFailed)) throw err;
      // An errored balancer serves nothing: remove it, so adopt finds nothing to keep.
      await gone(ctx.client.api.DELETE('/v2/load_balancers/{lb_id}', { params: where(made.id!), signal: ctx.signal }));
      throw err;
    }
    return { id: ready.id!, outputs: outputsOf(ready, inputs) };
  },
  async read(id, state, ctx) {
    const found = await get(id, ctx);
    if (!found) return undefined;
    const inputs = inputsOf(found, state.inputs);
    return { outputs: outputsOf(found, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    await ctx.client.api.PUT('/v2/load_balancers/{lb_id}', { params: where(id), body: bodyOf(news, ctx.urnTag), signal: ctx.signal });
    const ready = await untilActive(id, ctx);
    return { outputs: outputsOf(ready, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v2/load_balancers/{lb_id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const suffix = nameSuffix(ctx.urnTag);
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/v2/load_balancers', { params: { query: { page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.load_balancers, total: r.meta.total };
    });
    const found = all.find((lb) => lb.name?.endsWith(suffix) && !ctx.knownIds.includes(lb.id!));
    if (!found) return undefined;
    try {
      const ready = found.status === 'active' ? found : await untilActive(found.id!, ctx);
      return { id: ready.id!, outputs: outputsOf(ready, inputs) };
    } catch (err) {
      if (!(err instanceof LoadBalancerFailed)) throw err;
      ctx.log(`load balancer ${found.id}, left by an interrupted run, failed to start: deleting it`);
      await gone(ctx.client.api.DELETE('/v2/load_balancers/{lb_id}', { params: where(found.id!), signal: ctx.signal }));
      return undefined;
    }
  },
};
