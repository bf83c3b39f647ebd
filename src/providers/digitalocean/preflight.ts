// DigitalOcean's pre-flight: before a deploy creates anything, check what the API can tell —
// the token works (one authenticated call), the account is not locked, every region exists
// and is available, every size exists and is offered in its region, every image exists (and
// is in the region), the droplet limit allows the droplets to add, and the DNS zones exist.
// Every problem is returned together.
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import type { DoClient } from './client.ts';
import { allPages, PER_PAGE } from './client.ts';
import { ApiError } from '../rest/errors.ts';
import { body, orGone } from '../rest/fetch.ts';
import { also, group, known } from '../rest/preflight.ts';

const DROPLET = 'digitalocean:index/droplet:Droplet';
const LOAD_BALANCER = 'digitalocean:index/loadBalancer:LoadBalancer';
const DNS_RECORD = 'digitalocean:index/dnsRecord:DnsRecord';
const VPC = 'digitalocean:index/vpc:Vpc';

export async function doPreflight(client: DoClient, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const signal = ctx.signal;
  const problems: PreflightProblem[] = [];
  let account;
  try {
    account = body(await client.api.GET('/v2/account', { signal })).account;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      return [{ message: `DigitalOcean refused the API token (${err.status} ${err.code}: ${err.apiMessage})`, hint: err.hint }];
    }
    if (err instanceof ApiError && err.status === 0) {
      return [{ message: `DigitalOcean API at ${client.endpoint} could not be reached: ${err.apiMessage}`, hint: 'Check the network, or DIGITALOCEAN_API_URL if it is set.' }];
    }
    throw err;
  }
  if (!account) throw new Error(`DigitalOcean API at ${client.endpoint} answered GET /v2/account without the account`);
  if (account.status === 'locked') {
    problems.push({ message: `the DigitalOcean account ${account.email} is locked${account.status_message ? `: ${account.status_message}` : ''}`, hint: 'Resolve the account status in the DigitalOcean control panel, then deploy again.' });
  }

  const droplets = items.filter((i) => i.type === DROPLET && (i.op === 'create' || i.op === 'replace' || i.op === 'update'));
  const regional = items.filter((i) => i.type === DROPLET || i.type === LOAD_BALANCER || i.type === VPC);
  const needRegions = regional.length > 0;
  const needSizes = droplets.some((i) => known(i.inputs, 'size'));
  const [regions, sizes] = await Promise.all([
    needRegions
      ? allPages(async (page) => {
          const r = body(await client.api.GET('/v2/regions', { params: { query: { page, per_page: PER_PAGE } }, signal }));
          return { items: r.regions, total: r.meta.total };
        })
      : Promise.resolve([]),
    needSizes
      ? allPages(async (page) => {
          const r = body(await client.api.GET('/v2/sizes', { params: { query: { page, per_page: PER_PAGE } }, signal }));
          return { items: r.sizes, total: r.meta.total };
        })
      : Promise.resolve([]),
  ]);
  const regionBySlug = new Map(regions.map((r) => [r.slug, r]));
  const sizeBySlug = new Map(sizes.map((s) => [s.slug, s]));

  // A region already reported makes no follow-on problems (sizes and images "not in" it).
  const badRegions = new Set<string>();
  for (const { value: slug, items: its } of group(regional, (i) => known(i.inputs, 'region'))) {
    const region = regionBySlug.get(slug);
    if (!region?.available) badRegions.add(slug);
    if (!region) {
      problems.push({ message: `region '${slug}' does not exist${also(its)}`, hint: `Use one of: ${regions.filter((r) => r.available).map((r) => r.slug).join(', ')} (providers.digitalocean region).`, urn: its[0]!.urn });
    } else if (!region.available) {
      problems.push({ message: `region '${slug}' is not available for new resources${also(its)}`, hint: 'Choose another region in providers.digitalocean.', urn: its[0]!.urn });
    }
  }

  const sized = droplets.filter((i) => i.op !== 'update');
  for (const { value: key, items: its } of group(sized, (i) => (known(i.inputs, 'size') ? `${known(i.inputs, 'size')}@${known(i.inputs, 'region') ?? ''}` : undefined))) {
    const [slug, regionSlug] = key.split('@') as [string, string];
    const size = sizeBySlug.get(slug);
    const region = regionBySlug.get(regionSlug);
    if (!size) {
      problems.push({ message: `size '${slug}' does not exist${also(its)}`, hint: 'Set the node pool size to a droplet size slug such as s-2vcpu-4gb (doctl compute size list).', urn: its[0]!.urn });
    } else if (!size.available) {
      problems.push({ message: `size '${slug}' is no longer available${also(its)}`, hint: 'Choose a current droplet size.', urn: its[0]!.urn });
    } else if (region && !badRegions.has(regionSlug) && (!size.regions.includes(regionSlug) || !region.sizes.includes(slug))) {
      problems.push({ message: `size '${slug}' is not offered in region '${regionSlug}'${also(its)}`, hint: `Sizes offered there include: ${region.sizes.slice(0, 8).join(', ')}.`, urn: its[0]!.urn });
    }
  }

  for (const { value: key, items: its } of group(sized, (i) => (known(i.inputs, 'image') ? `${known(i.inputs, 'image')}@${known(i.inputs, 'region') ?? ''}` : undefined))) {
    const [slug, regionSlug] = key.split('@') as [string, string];
    const found = await orGone(client.api.GET('/v2/images/{image_id}', { params: { path: { image_id: /^\d+$/.test(slug) ? Number(slug) : slug } }, signal }).then(body));
    const regions = found?.image.regions ?? [];
    if (!found) {
      problems.push({ message: `image '${slug}' does not exist${also(its)}`, hint: 'Set image to a distribution slug such as ubuntu-24-04-x64, or to the id of an image in this account.', urn: its[0]!.urn });
    } else if (regionSlug && !badRegions.has(regionSlug) && regions.length > 0 && !(regions as string[]).includes(regionSlug)) {
      problems.push({ message: `image '${slug}' is not available in region '${regionSlug}'${also(its)}`, hint: `It is available in: ${regions.join(', ')}.`, urn: its[0]!.urn });
    }
  }

  const adding = droplets.filter((i) => i.op !== 'update').length;
  if (adding > 0) {
    const page = body(await client.api.GET('/v2/droplets', { params: { query: { per_page: 1 } }, signal }));
    const existing = page.meta.total ?? 0;
    if (existing + adding > account.droplet_limit) {
      problems.push({
        message: `the DigitalOcean droplet limit is ${account.droplet_limit}; the account has ${existing} droplet(s) and this deploy adds ${adding}`,
        hint: 'Ask DigitalOcean to raise the droplet limit, remove unused droplets, or lower the node counts.',
      });
    }
  }

  for (const { value: domain, items: its } of group(items.filter((i) => i.type === DNS_RECORD && i.op !== 'update'), (i) => known(i.inputs, 'domain'))) {
    const found = await orGone(client.api.GET('/v2/domains/{domain_name}', { params: { path: { domain_name: domain } }, signal }));
    if (!found) {
      problems.push({ message: `the DNS zone '${domain}' is not in this DigitalOcean account${also(its)}`, hint: `Add the domain to DigitalOcean (Networking → Domains, or doctl compute domain create ${domain}) and delegate it to DigitalOcean's name servers, or set network.dns provider to where the zone lives.`, urn: its[0]!.urn });
    }
  }
  return problems;
}
