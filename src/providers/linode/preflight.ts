// Linode's pre-flight: before a deploy creates anything, check what the API can tell — the
// token works (one authenticated call) and has the scopes the plan needs, the user may tag
// (restricted users may not, and every object carries its URN tag), every region exists, is
// up and offers what the plan uses there (Linodes, VPCs, Cloud Firewalls, NodeBalancers,
// Metadata for user data), the account may use those services in that region, every type and
// image exists (the image supports cloud-init), and the DNS zones are in the account. Every
// problem is returned together. Linode publishes no instance limit; the account's own limits
// show up as errors at create.
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import type { LinodeClient } from './client.ts';
import { allPages, PAGE_SIZE } from './client.ts';
import { ApiError } from '../rest/errors.ts';
import { body } from '../rest/fetch.ts';
import { also, group, known } from '../rest/preflight.ts';
import { domainId } from './resources/domain-record.ts';

const T = (name: string) => `linode:index/${name}`;
const INSTANCE = T('instance:Instance');
const VPC = T('vpc:Vpc');
const FIREWALL = T('firewall:Firewall');
const NODE_BALANCER = T('nodeBalancer:NodeBalancer');
const RECORD = T('domainRecord:DomainRecord');

/** What each resource type needs: OAuth scope, region capability, account service. */
const NEEDS: Record<string, { scope: string; capability?: string }> = {
  [INSTANCE]: { scope: 'linodes:read_write', capability: 'Linodes' },
  [VPC]: { scope: 'vpc:read_write', capability: 'VPCs' },
  [T('vpcSubnet:VpcSubnet')]: { scope: 'vpc:read_write' },
  [FIREWALL]: { scope: 'firewall:read_write', capability: 'Cloud Firewall' },
  [NODE_BALANCER]: { scope: 'nodebalancers:read_write', capability: 'NodeBalancers' },
  [T('nodeBalancerConfig:NodeBalancerConfig')]: { scope: 'nodebalancers:read_write' },
  [T('nodeBalancerNode:NodeBalancerNode')]: { scope: 'nodebalancers:read_write' },
  [RECORD]: { scope: 'domains:read_write' },
};

/** Whether the token's scopes (`*`, or space-separated `area:level`) grant `need`. */
function grants(scopes: string, need: string): boolean {
  if (scopes.trim() === '*') return true;
  const [area, level] = need.split(':') as [string, string];
  return scopes.split(/[\s,]+/).some((s) => s === `${area}:*` || s === `${area}:read_write` || (level === 'read_only' && s === `${area}:read_only`));
}

export async function linodePreflight(client: LinodeClient, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const signal = ctx.signal;
  const problems: PreflightProblem[] = [];
  let profile;
  try {
    profile = await client.api.GET('/v4/profile', { signal });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return [{ message: `Linode refused the API token (${err.status}: ${err.apiMessage})`, hint: err.hint }];
    if (err instanceof ApiError && err.status === 0) return [{ message: `Linode API at ${client.endpoint} could not be reached: ${err.apiMessage}`, hint: 'Check the network, or LINODE_API_URL if it is set.' }];
    throw err;
  }
  const changing = items.filter((i) => i.op !== 'update' || i.type === FIREWALL);
  const scopes = profile.response.headers.get('x-oauth-scopes');
  if (scopes !== null) {
    const missing = [...new Set(changing.map((i) => NEEDS[i.type]?.scope).filter((s): s is string => s !== undefined && !grants(scopes, s)))];
    if (missing.length) problems.push({ message: `the Linode token lacks the scope(s) ${missing.join(', ')} (it has: ${scopes || 'none'})`, hint: 'Create a personal access token with read/write on Linodes, VPCs, Firewalls, NodeBalancers (and Domains when network.dns uses Linode).' });
  }
  if (body(profile).restricted && changing.some((i) => i.type === INSTANCE || i.type === FIREWALL || i.type === NODE_BALANCER)) {
    problems.push({ message: `the Linode user ${body(profile).username ?? ''} is restricted: restricted users may not tag objects, and every object this tool makes carries a tag that finds it again after an interrupted run`, hint: 'Use a token of an unrestricted user of the account.' });
  }

  const instances = changing.filter((i) => i.type === INSTANCE && i.op !== 'update');
  const regional = changing.filter((i) => known(i.inputs, 'region') !== undefined);
  const [regions, types, images] = await Promise.all([
    regional.length ? allPages(() => client.api.GET('/v4/regions', { signal }).then(body)) : Promise.resolve([]),
    changing.some((i) => i.type === INSTANCE && known(i.inputs, 'type')) ? allPages(() => client.api.GET('/v4/linode/types', { signal }).then(body)) : Promise.resolve([]),
    instances.length ? allPages((page) => client.api.GET('/v4/images', { params: { query: { page, page_size: PAGE_SIZE } }, signal }).then(body)) : Promise.resolve([]),
  ]);

  const badRegions = new Set<string>();
  for (const { value: id, items: its } of group(regional, (i) => known(i.inputs, 'region'))) {
    const region = regions.find((r) => r.id === id);
    if (!region) {
      badRegions.add(id);
      problems.push({ message: `region '${id}' does not exist${also(its)}`, hint: `Use one of: ${regions.map((r) => r.id).join(', ')} (providers.linode region).`, urn: its[0]!.urn });
      continue;
    }
    if (region.status === 'outage') problems.push({ message: `region '${id}' reports an outage${also(its)}`, hint: 'Deploy later, or choose another region in providers.linode.', urn: its[0]!.urn });
    const needed = new Set(its.map((i) => NEEDS[i.type]?.capability).filter((c): c is string => c !== undefined));
    if (its.some((i) => i.type === INSTANCE && i.inputs.userData !== undefined && i.inputs.userData !== null)) needed.add('Metadata');
    const lacking = [...needed].filter((c) => !(region.capabilities ?? []).includes(c));
    if (lacking.length) problems.push({ message: `region '${id}' does not offer ${lacking.join(', ')}${also(its)}`, hint: 'Choose a region that offers them (linode-cli regions list shows each region\'s capabilities).', urn: its[0]!.urn });
  }
  // The account's own availability per region (a service can be closed to one account).
  for (const id of new Set(regional.map((i) => known(i.inputs, 'region')!).filter((r) => !badRegions.has(r)))) {
    const availability = body(await client.api.GET('/v4/account/availability/{id}', { params: { path: { id } }, signal }));
    const needed = new Set(regional.filter((i) => known(i.inputs, 'region') === id).map((i) => NEEDS[i.type]?.capability).filter((c): c is string => c !== undefined));
    const closed = [...needed].filter((c) => (availability.unavailable ?? []).includes(c));
    if (closed.length) problems.push({ message: `the Linode account may not use ${closed.join(', ')} in region '${id}'`, hint: 'Ask Linode support to open the region to the account, or choose another region.' });
  }

  for (const { value: id, items: its } of group(instances, (i) => known(i.inputs, 'type'))) {
    if (!types.some((t) => t.id === id)) problems.push({ message: `type '${id}' does not exist${also(its)}`, hint: 'Set the node pool size to a Linode type such as g6-standard-2 (linode-cli linodes types).', urn: its[0]!.urn });
  }
  for (const { value: id, items: its } of group(instances, (i) => known(i.inputs, 'image'))) {
    const image = images.find((im) => im.id === id);
    if (!image) problems.push({ message: `image '${id}' does not exist${also(its)}`, hint: 'Set image to a Linode image such as linode/ubuntu24.04, or to the id of a private image.', urn: its[0]!.urn });
    else if (!(image.capabilities ?? []).includes('cloud-init')) problems.push({ message: `image '${id}' does not support cloud-init, which the nodes are set up with${also(its)}`, hint: 'Use an image with cloud-init, such as linode/ubuntu24.04.', urn: its[0]!.urn });
  }

  for (const { value: domain, items: its } of group(changing.filter((i) => i.type === RECORD), (i) => known(i.inputs, 'domain'))) {
    if ((await domainId(domain, { client, signal })) === undefined) {
      problems.push({ message: `the DNS zone '${domain}' is not in this Linode account${also(its)}`, hint: `Add the domain in Linode's DNS Manager (linode-cli domains create --domain ${domain} --type master --soa_email …) and delegate it to Linode's name servers, or set network.dns provider to where the zone lives.`, urn: its[0]!.urn });
    }
  }
  return problems;
}
