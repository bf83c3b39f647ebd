// DigitalOcean's pre-flight: before a deploy creates anything, check what the API can tell —
// the token works (one authenticated call), the account is not locked, every region exists
// and is available, every size exists and is offered in its region, every image exists (and
// is in the region), the droplet limit allows the droplets to add, and the DNS zones exist.
// Every problem is returned together.
import { UNKNOWN_VALUE } from '../../state/types.ts';
import type { PropertyMap } from '../../state/types.ts';
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import type { DoClient } from './client.ts';
import { seg } from './client.ts';
import type { DoAccount, DoImage, DoRegion, DoSize } from './api.ts';
import { DoApiError } from './errors.ts';

const DROPLET = 'digitalocean:index/droplet:Droplet';
const LOAD_BALANCER = 'digitalocean:index/loadBalancer:LoadBalancer';
const DNS_RECORD = 'digitalocean:index/dnsRecord:DnsRecord';
const VPC = 'digitalocean:index/vpc:Vpc';

const known = (inputs: PropertyMap, key: string): string | undefined => {
  const v = inputs[key];
  return typeof v === 'string' && v !== '' && v !== UNKNOWN_VALUE ? v : undefined;
};

const nameOf = (item: PreflightItem) => item.urn.slice(item.urn.lastIndexOf('::') + 2);

/**
 * Items of the same config origin (a node pool) that name the same value share one problem,
 * reported on the first of them: "size 'x' does not exist (also workers-2, workers-3)".
 */
function group(items: readonly PreflightItem[], key: (i: PreflightItem) => string | undefined): Map<string, PreflightItem[]> {
  const out = new Map<string, PreflightItem[]>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out.set(`${k}\u0000${item.sourcePosition ?? ''}`, [...(out.get(`${k}\u0000${item.sourcePosition ?? ''}`) ?? []), item]);
  }
  return out;
}

const valueOf = (key: string) => key.slice(0, key.indexOf('\u0000'));
const also = (items: PreflightItem[]) => (items.length > 1 ? ` (also ${items.slice(1).map(nameOf).join(', ')})` : '');

export async function doPreflight(client: DoClient, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const signal = ctx.signal;
  const problems: PreflightProblem[] = [];
  let account: DoAccount;
  try {
    account = (await client.get<{ account: DoAccount }>('/v2/account', { signal })).account;
  } catch (err) {
    if (err instanceof DoApiError && (err.status === 401 || err.status === 403)) {
      return [{ message: `DigitalOcean refused the API token (${err.status} ${err.id}: ${err.apiMessage})`, hint: err.hint }];
    }
    if (err instanceof DoApiError && err.status === 0) {
      return [{ message: `DigitalOcean API at ${client.endpoint} could not be reached: ${err.apiMessage}`, hint: 'Check the network, or DIGITALOCEAN_API_URL if it is set.' }];
    }
    throw err;
  }
  if (account.status === 'locked') {
    problems.push({ message: `the DigitalOcean account ${account.email} is locked${account.status_message ? `: ${account.status_message}` : ''}`, hint: 'Resolve the account status in the DigitalOcean control panel, then deploy again.' });
  }

  const droplets = items.filter((i) => i.type === DROPLET && (i.op === 'create' || i.op === 'replace' || i.op === 'update'));
  const regional = items.filter((i) => i.type === DROPLET || i.type === LOAD_BALANCER || i.type === VPC);
  const needRegions = regional.length > 0;
  const needSizes = droplets.some((i) => known(i.inputs, 'size'));
  const [regions, sizes] = await Promise.all([
    needRegions ? client.list<DoRegion>('/v2/regions', 'regions', { signal }) : Promise.resolve([]),
    needSizes ? client.list<DoSize>('/v2/sizes', 'sizes', { signal }) : Promise.resolve([]),
  ]);
  const regionBySlug = new Map(regions.map((r) => [r.slug, r]));
  const sizeBySlug = new Map(sizes.map((s) => [s.slug, s]));

  // A region already reported makes no follow-on problems (sizes and images "not in" it).
  const badRegions = new Set<string>();
  for (const [key, its] of group(regional, (i) => known(i.inputs, 'region'))) {
    const slug = valueOf(key);
    const region = regionBySlug.get(slug);
    if (!region?.available) badRegions.add(slug);
    if (!region) {
      problems.push({ message: `region '${slug}' does not exist${also(its)}`, hint: `Use one of: ${regions.filter((r) => r.available).map((r) => r.slug).join(', ')} (providers.digitalocean region).`, urn: its[0]!.urn });
    } else if (!region.available) {
      problems.push({ message: `region '${slug}' is not available for new resources${also(its)}`, hint: 'Choose another region in providers.digitalocean.', urn: its[0]!.urn });
    }
  }

  const sized = droplets.filter((i) => i.op !== 'update');
  for (const [key, its] of group(sized, (i) => (known(i.inputs, 'size') ? `${known(i.inputs, 'size')}@${known(i.inputs, 'region') ?? ''}` : undefined))) {
    const [slug, regionSlug] = valueOf(key).split('@') as [string, string];
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

  for (const [key, its] of group(sized, (i) => (known(i.inputs, 'image') ? `${known(i.inputs, 'image')}@${known(i.inputs, 'region') ?? ''}` : undefined))) {
    const [slug, regionSlug] = valueOf(key).split('@') as [string, string];
    const found = await client.find<{ image: DoImage }>(`/v2/images/${seg(slug)}`, { signal });
    if (!found) {
      problems.push({ message: `image '${slug}' does not exist${also(its)}`, hint: 'Set image to a distribution slug such as ubuntu-24-04-x64, or to the id of an image in this account.', urn: its[0]!.urn });
    } else if (regionSlug && !badRegions.has(regionSlug) && found.image.regions.length > 0 && !found.image.regions.includes(regionSlug)) {
      problems.push({ message: `image '${slug}' is not available in region '${regionSlug}'${also(its)}`, hint: `It is available in: ${found.image.regions.join(', ')}.`, urn: its[0]!.urn });
    }
  }

  const adding = droplets.filter((i) => i.op !== 'update').length;
  if (adding > 0) {
    const page = await client.get<{ meta?: { total?: number } }>('/v2/droplets', { query: { per_page: 1 }, signal });
    const existing = page.meta?.total ?? 0;
    if (existing + adding > account.droplet_limit) {
      problems.push({
        message: `the DigitalOcean droplet limit is ${account.droplet_limit}; the account has ${existing} droplet(s) and this deploy adds ${adding}`,
        hint: 'Ask DigitalOcean to raise the droplet limit, remove unused droplets, or lower the node counts.',
      });
    }
  }

  for (const [key, its] of group(items.filter((i) => i.type === DNS_RECORD && i.op !== 'update'), (i) => known(i.inputs, 'domain'))) {
    const domain = valueOf(key);
    const found = await client.find<{ domain: unknown }>(`/v2/domains/${seg(domain)}`, { signal });
    if (!found) {
      problems.push({ message: `the DNS zone '${domain}' is not in this DigitalOcean account${also(its)}`, hint: `Add the domain to DigitalOcean (Networking → Domains, or doctl compute domain create ${domain}) and delegate it to DigitalOcean's name servers, or set network.dns provider to where the zone lives.`, urn: its[0]!.urn });
    }
  }
  return problems;
}
