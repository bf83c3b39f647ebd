// The parts of a Hetzner load balancer, each a resource of its own and each changed through
// the balancer's actions: its attachment to a network ({loadBalancerId, networkId} → {id, ip}),
// a service per port ({loadBalancerId, protocol, listenPort, destinationPort} → {id}) and a
// label-selector target ({loadBalancerId, type, labelSelector, usePrivateIp} → {id}). None has
// labels; each is unique in its balancer (one attachment per network, one service per port,
// one target per selector), so its id is `<balancer id>/<what it is>` and adopt finds it by that.
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, orGone } from '../../rest/fetch.ts';
import { bool, num, str } from '../../rest/inputs.ts';

type Ctx = CallContext<HetznerClient>;
type LoadBalancer = components['schemas']['load_balancer'];
type Service = components['schemas']['load_balancer_service'];

const where = (id: string) => ({ path: { id: Number(id) } });
const split = (id: string) => ({ lb: id.slice(0, id.indexOf('/')), key: id.slice(id.indexOf('/') + 1) });

async function balancer(id: string, ctx: Ctx): Promise<LoadBalancer | undefined> {
  return (await orGone(ctx.client.api.GET('/load_balancers/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.load_balancer;
}

/** Runs a balancer action and waits for it; a balancer already gone counts as done (its parts went with it). */
async function act(lb: string, what: string, ctx: Ctx, call: () => Promise<{ action: components['schemas']['action'] }>): Promise<void> {
  const r = await orGone(call());
  if (r) await ctx.client.wait([r.action], `load balancer ${lb} (${what})`, ctx.signal);
}

export const loadBalancerNetwork: ResourceType<HetznerClient> = {
  forceNew: ['loadBalancerId', 'networkId'],
  async create(inputs, ctx) {
    const lb = str(inputs, 'loadBalancerId');
    const network = str(inputs, 'networkId');
    await act(lb, 'attach to network', ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/attach_to_network', { params: where(lb), body: { network: Number(network) }, signal: ctx.signal }).then(body));
    const ip = (await balancer(lb, ctx))?.private_net.find((n) => n.network === Number(network))?.ip ?? null;
    return { id: `${lb}/${network}`, outputs: { ...inputs, id: `${lb}/${network}`, ip } };
  },
  async read(id, state, ctx) {
    const { lb, key } = split(id);
    const net = (await balancer(lb, ctx))?.private_net.find((n) => n.network === Number(key));
    return net ? { outputs: { ...state.inputs, id, ip: net.ip ?? null }, inputs: { ...state.inputs, loadBalancerId: lb, networkId: key } } : undefined;
  },
  async delete(id, _state, ctx) {
    const { lb, key } = split(id);
    if (!(await balancer(lb, ctx))?.private_net.some((n) => n.network === Number(key))) return;
    await act(lb, 'detach from network', ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/detach_from_network', { params: where(lb), body: { network: Number(key) }, signal: ctx.signal }).then(body));
  },
  async adopt(inputs, ctx) {
    const lb = str(inputs, 'loadBalancerId');
    const network = str(inputs, 'networkId');
    const id = `${lb}/${network}`;
    const net = ctx.knownIds.includes(id) ? undefined : (await balancer(lb, ctx))?.private_net.find((n) => n.network === Number(network));
    return net ? { id, outputs: { ...inputs, id, ip: net.ip ?? null } } : undefined;
  },
};

function serviceOf(inputs: PropertyMap): Service {
  const protocol = str(inputs, 'protocol');
  if (protocol !== 'tcp') throw new Error(`load balancer service protocol '${protocol}' is not tcp`);
  const destination = num(inputs, 'destinationPort');
  return { protocol, listen_port: num(inputs, 'listenPort'), destination_port: destination, proxyprotocol: false, health_check: { protocol: 'tcp', port: destination, interval: 15, timeout: 10, retries: 3 } };
}

export const loadBalancerService: ResourceType<HetznerClient> = {
  forceNew: ['loadBalancerId', 'listenPort'],
  async create(inputs, ctx) {
    const lb = str(inputs, 'loadBalancerId');
    const service = serviceOf(inputs);
    await act(lb, `add service ${service.listen_port}`, ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/add_service', { params: where(lb), body: service, signal: ctx.signal }).then(body));
    return { id: `${lb}/${service.listen_port}`, outputs: { ...inputs, id: `${lb}/${service.listen_port}` } };
  },
  async read(id, state, ctx) {
    const { lb, key } = split(id);
    const s = (await balancer(lb, ctx))?.services.find((x) => x.listen_port === Number(key));
    if (!s) return undefined;
    const inputs = { ...state.inputs, loadBalancerId: lb, protocol: s.protocol, listenPort: s.listen_port, destinationPort: s.destination_port };
    return { outputs: { ...inputs, id }, inputs };
  },
  async update(id, _olds, news, ctx) {
    const { lb } = split(id);
    const service = serviceOf(news);
    await act(lb, `update service ${service.listen_port}`, ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/update_service', { params: where(lb), body: service, signal: ctx.signal }).then(body));
    return { outputs: { ...news, id } };
  },
  async delete(id, _state, ctx) {
    const { lb, key } = split(id);
    if (!(await balancer(lb, ctx))?.services.some((x) => x.listen_port === Number(key))) return;
    await act(lb, `delete service ${key}`, ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/delete_service', { params: where(lb), body: { listen_port: Number(key) }, signal: ctx.signal }).then(body));
  },
  async adopt(inputs, ctx) {
    const lb = str(inputs, 'loadBalancerId');
    const id = `${lb}/${num(inputs, 'listenPort')}`;
    const found = !ctx.knownIds.includes(id) && (await balancer(lb, ctx))?.services.some((x) => x.listen_port === num(inputs, 'listenPort'));
    return found ? { id, outputs: { ...inputs, id } } : undefined;
  },
};

function selectorOf(inputs: PropertyMap): string {
  const type = str(inputs, 'type');
  if (type !== 'label_selector') throw new Error(`load balancer target type '${type}' is not label_selector`);
  return str(inputs, 'labelSelector');
}

export const loadBalancerTarget: ResourceType<HetznerClient> = {
  forceNew: ['loadBalancerId', 'labelSelector'],
  async create(inputs, ctx) {
    const lb = str(inputs, 'loadBalancerId');
    const selector = selectorOf(inputs);
    await act(lb, 'add target', ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/add_target', { params: where(lb), body: { type: 'label_selector', label_selector: { selector }, use_private_ip: bool(inputs, 'usePrivateIp', false) }, signal: ctx.signal }).then(body));
    return { id: `${lb}/${selector}`, outputs: { ...inputs, id: `${lb}/${selector}` } };
  },
  async read(id, state, ctx) {
    const { lb, key } = split(id);
    const t = (await balancer(lb, ctx))?.targets.find((x) => x.type === 'label_selector' && x.label_selector?.selector === key);
    if (!t) return undefined;
    const inputs = { ...state.inputs, loadBalancerId: lb, type: t.type, labelSelector: key, usePrivateIp: t.use_private_ip ?? false };
    return { outputs: { ...inputs, id }, inputs };
  },
  async delete(id, _state, ctx) {
    const { lb, key } = split(id);
    if (!(await balancer(lb, ctx))?.targets.some((x) => x.label_selector?.selector === key)) return;
    await act(lb, 'remove target', ctx, () => ctx.client.api.POST('/load_balancers/{id}/actions/remove_target', { params: where(lb), body: { type: 'label_selector', label_selector: { selector: key } }, signal: ctx.signal }).then(body));
  },
  async adopt(inputs, ctx) {
    const lb = str(inputs, 'loadBalancerId');
    const selector = selectorOf(inputs);
    const id = `${lb}/${selector}`;
    const found = !ctx.knownIds.includes(id) && (await balancer(lb, ctx))?.targets.some((x) => x.label_selector?.selector === selector);
    return found ? { id, outputs: { ...inputs, id } } : undefined;
  },
};
