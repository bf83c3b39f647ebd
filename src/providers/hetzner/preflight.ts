// Hetzner Cloud's pre-flight: before a deploy creates anything, check what the API can tell —
// the token works (one authenticated call), every location exists, each subnet's network zone
// is one the locations are in, every server type exists, is not deprecated and is offered in
// its location, every image exists for the server type's architecture, the load balancer type
// exists, and no spread placement group gets more than its ten servers. Every problem is
// returned together. Hetzner publishes no project limits through the API; a limit reached
// shows up as `resource_limit_exceeded` at create, with a hint.
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import type { HetznerClient } from './client.ts';
import { allPages, PER_PAGE } from './client.ts';
import { ApiError } from '../rest/errors.ts';
import { body } from '../rest/fetch.ts';
import { also, group, known } from '../rest/preflight.ts';

const T = (name: string) => `hcloud:index/${name}`;
const SERVER = T('server:Server');
const SUBNET = T('networkSubnet:NetworkSubnet');
const LOAD_BALANCER = T('loadBalancer:LoadBalancer');
/** Servers a spread placement group holds at most (Hetzner's documented limit). */
export const SPREAD_LIMIT = 10;

export async function hetznerPreflight(client: HetznerClient, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const signal = ctx.signal;
  const problems: PreflightProblem[] = [];
  let locations;
  try {
    locations = await allPages(async (page) => {
      const r = body(await client.api.GET('/locations', { params: { query: { page, per_page: PER_PAGE } }, signal }));
      return { items: r.locations, next: r.meta?.pagination.next_page };
    });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return [{ message: `Hetzner Cloud refused the API token (${err.status} ${err.code}: ${err.apiMessage})`, hint: err.hint ?? 'Check HCLOUD_TOKEN or providers.hetzner token.' }];
    if (err instanceof ApiError && err.status === 0) return [{ message: `Hetzner Cloud API at ${client.endpoint} could not be reached: ${err.apiMessage}`, hint: 'Check the network, or HCLOUD_ENDPOINT if it is set.' }];
    throw err;
  }
  const creating = items.filter((i) => i.op !== 'update');
  const servers = creating.filter((i) => i.type === SERVER);
  const lbs = creating.filter((i) => i.type === LOAD_BALANCER);
  const [types, lbTypes] = await Promise.all([
    servers.length
      ? allPages(async (page) => {
          const r = body(await client.api.GET('/server_types', { params: { query: { page, per_page: PER_PAGE } }, signal }));
          return { items: r.server_types, next: r.meta?.pagination.next_page };
        })
      : Promise.resolve([]),
    lbs.length
      ? allPages(async (page) => {
          const r = body(await client.api.GET('/load_balancer_types', { params: { query: { page, per_page: PER_PAGE } }, signal }));
          return { items: r.load_balancer_types, next: r.meta?.pagination.next_page };
        })
      : Promise.resolve([]),
  ]);

  const badLocations = new Set<string>();
  for (const { value: name, items: its } of group(creating.filter((i) => known(i.inputs, 'location')), (i) => known(i.inputs, 'location'))) {
    if (!locations.some((l) => l.name === name)) {
      badLocations.add(name);
      problems.push({ message: `location '${name}' does not exist${also(its)}`, hint: `Use one of: ${locations.map((l) => l.name).join(', ')} (providers.hetzner location).`, urn: its[0]!.urn });
    }
  }
  const zones = new Set(locations.map((l) => l.network_zone));
  for (const { value: zone, items: its } of group(creating.filter((i) => i.type === SUBNET), (i) => known(i.inputs, 'networkZone'))) {
    if (!zones.has(zone)) problems.push({ message: `network zone '${zone}' does not exist${also(its)}`, hint: `Network zones: ${[...zones].join(', ')}.`, urn: its[0]!.urn });
  }

  const typeOk = new Map<string, string>();
  for (const { value: key, items: its } of group(servers, (i) => (known(i.inputs, 'serverType') ? `${known(i.inputs, 'serverType')}@${known(i.inputs, 'location') ?? ''}` : undefined))) {
    const [name, location] = key.split('@') as [string, string];
    const type = types.find((t) => t.name === name);
    if (!type) problems.push({ message: `server type '${name}' does not exist${also(its)}`, hint: 'Set the node pool size to a Hetzner server type such as cx22 or cpx31 (hcloud server-type list).', urn: its[0]!.urn });
    else if (type.deprecated || type.deprecation) problems.push({ message: `server type '${name}' is deprecated and can no longer be ordered${also(its)}`, hint: 'Choose a current server type (hcloud server-type list).', urn: its[0]!.urn });
    else if (location && !badLocations.has(location) && !type.locations.some((l) => l.name === location)) problems.push({ message: `server type '${name}' is not offered in location '${location}'${also(its)}`, hint: `It is offered in: ${type.locations.map((l) => l.name).join(', ')}.`, urn: its[0]!.urn });
    else typeOk.set(name, type.architecture);
  }

  for (const { value: key, items: its } of group(servers, (i) => (known(i.inputs, 'image') ? `${known(i.inputs, 'image')}@${typeOk.get(known(i.inputs, 'serverType') ?? '') ?? 'x86'}` : undefined))) {
    const [name, architecture] = key.split('@') as [string, 'x86' | 'arm'];
    if (/^\d+$/.test(name)) continue; // an image id (a snapshot): the create reports it
    const found = body(await client.api.GET('/images', { params: { query: { name, architecture } }, signal })).images;
    if (found.length === 0) problems.push({ message: `image '${name}' does not exist for ${architecture} servers${also(its)}`, hint: 'Set image to a Hetzner image name such as ubuntu-24.04 (hcloud image list --type system).', urn: its[0]!.urn });
  }

  for (const { value: name, items: its } of group(lbs, (i) => known(i.inputs, 'loadBalancerType'))) {
    if (!lbTypes.some((t) => t.name === name)) problems.push({ message: `load balancer type '${name}' does not exist${also(its)}`, hint: 'Use lb11, lb21 or lb31.', urn: its[0]!.urn });
  }

  const spread = servers.filter((i) => i.inputs.placementGroupId !== undefined && i.inputs.placementGroupId !== null);
  if (spread.length > SPREAD_LIMIT) {
    problems.push({ message: `${spread.length} servers would share one spread placement group; Hetzner allows ${SPREAD_LIMIT}`, hint: 'Run at most ten masters on Hetzner.', urn: spread[SPREAD_LIMIT]!.urn });
  }
  return problems;
}
