// Azure's pre-flight: before a deploy creates anything, the credentials work and the
// subscription answers (Microsoft.Compute and Microsoft.Network registered), every location
// offers virtual machines, every VM size is offered there to this subscription, every
// image exists there, the regional and per-family vCPU quotas leave room for the VMs to
// add, the cluster's resource group is free (or ours), and the DNS zones are in the
// subscription. Every problem is returned together.
import type { ResourceSku } from '@azure/arm-compute';
import { UNKNOWN_VALUE, type PropertyMap } from '../../state/types.ts';
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import type { AzureClient } from './client.ts';
import { findAzure } from './errors.ts';
import { imageReference } from './compute.ts';
import { isOurs } from './common.ts';
import { zoneGroup } from './dns.ts';
import { urnTag } from '../../engine/index.ts';

const VM = 'azure:compute/virtualMachine:VirtualMachine';
const GROUP = 'azure:core/resourceGroup:ResourceGroup';
const RECORD = 'azure:dns/recordSet:RecordSet';

const known = (inputs: PropertyMap, key: string): string | undefined => {
  const v = inputs[key];
  return typeof v === 'string' && v !== '' && v !== UNKNOWN_VALUE ? v : undefined;
};
const nameOf = (item: PreflightItem) => item.urn.slice(item.urn.lastIndexOf('::') + 2);
const norm = (location: string) => location.toLowerCase().replace(/\s+/g, '');

/** Items naming the same value from the same place in the config share one problem. */
function grouped(items: readonly PreflightItem[], key: (i: PreflightItem) => string | undefined): [string, PreflightItem[]][] {
  const out = new Map<string, PreflightItem[]>();
  for (const i of items) {
    const k = key(i);
    if (k !== undefined) out.set(`${k}\u0000${i.sourcePosition ?? ''}`, [...(out.get(`${k}\u0000${i.sourcePosition ?? ''}`) ?? []), i]);
  }
  return [...out].map(([k, v]) => [k.slice(0, k.indexOf('\u0000')), v]);
}
const also = (items: PreflightItem[]) => (items.length > 1 ? ` (also ${items.slice(1).map(nameOf).join(', ')})` : '');

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; statusCode?: number; code?: string };
  return `${e.code ?? e.name ?? 'error'}${e.statusCode ? ` ${e.statusCode}` : ''}: ${(e.message ?? String(err)).split('\n')[0]}`;
}

export async function azurePreflight(client: AzureClient, items: readonly PreflightItem[], ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const abortSignal = ctx.signal;
  const problems: PreflightProblem[] = [];
  // Credentials and subscription, in one call per resource provider the deploy uses.
  const needed = items.some((i) => i.type.startsWith('azure:compute/') || i.type.startsWith('azure:network/') || i.type === GROUP) ? ['Microsoft.Compute', 'Microsoft.Network'] : ['Microsoft.Network'];
  let vmLocations: string[] = [];
  for (const ns of needed) {
    try {
      const p = await client.resources.providers.get(ns, { abortSignal });
      if (p.registrationState !== 'Registered') {
        problems.push({ message: `the resource provider ${ns} is ${p.registrationState ?? 'not registered'} in subscription ${client.subscriptionId}`, hint: `Register it: az provider register --namespace ${ns}` });
      }
      if (ns === 'Microsoft.Compute') vmLocations = (p.resourceTypes?.find((t) => t.resourceType === 'virtualMachines')?.locations ?? []).map(norm);
    } catch (err) {
      const e = err as { name?: string; statusCode?: number };
      if (e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError' || e.name === 'AggregateAuthenticationError') {
        return [{ message: `no usable Azure credentials (tried ${client.credentialSource}): ${describe(err)}`, hint: 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, run `az login`, or give providers.azure client-id/client-secret/tenant-id.' }];
      }
      if (e.statusCode === 401 || e.statusCode === 403 || e.statusCode === 404) {
        return [{ message: `Azure subscription ${client.subscriptionId} cannot be used with these credentials (${describe(err)})`, hint: 'Check AZURE_SUBSCRIPTION_ID (or subscription-id) and that the identity has a role such as Contributor on it.' }];
      }
      if (e.name === 'RestError' && e.statusCode === undefined) return [{ message: `Azure Resource Manager at ${client.endpoint} could not be reached: ${describe(err)}`, hint: 'Check the network, or AZURE_RESOURCE_MANAGER_ENDPOINT if it is set.' }];
      throw err;
    }
  }

  const vms = items.filter((i) => i.type === VM && i.op !== 'update');
  const badLocations = new Set<string>();
  for (const [location, its] of grouped(items.filter((i) => i.type === VM || i.type === GROUP), (i) => known(i.inputs, 'location'))) {
    if (vmLocations.length > 0 && !vmLocations.includes(norm(location))) {
      badLocations.add(location);
      problems.push({ message: `location '${location}' does not offer virtual machines to this subscription${also(its)}`, hint: 'Use a location such as eastus or westeurope (az account list-locations -o table), in providers.azure location.', urn: its[0]!.urn });
    }
  }

  // Sizes, images and quotas per location.
  const locations = [...new Set(vms.map((i) => known(i.inputs, 'location')).filter((l): l is string => l !== undefined && !badLocations.has(l)))];
  for (const location of locations) {
    const here = vms.filter((i) => known(i.inputs, 'location') === location);
    const skus = new Map<string, ResourceSku>();
    for await (const s of client.compute.resourceSkus.list({ filter: `location eq '${norm(location)}'`, abortSignal })) {
      if (s.resourceType === 'virtualMachines' && s.name) skus.set(s.name.toLowerCase(), s);
    }
    const needByFamily = new Map<string, number>();
    let needTotal = 0;
    for (const [size, its] of grouped(here, (i) => known(i.inputs, 'vmSize'))) {
      const sku = skus.get(size.toLowerCase());
      const restricted = sku?.restrictions?.find((r) => r.type === 'Location' && r.reasonCode === 'NotAvailableForSubscription');
      if (!sku) {
        problems.push({ message: `VM size '${size}' is not offered in ${location}${also(its)}`, hint: `Sizes offered there include: ${[...skus.values()].filter((s) => !s.restrictions?.length).slice(0, 8).map((s) => s.name).join(', ')} (az vm list-skus -l ${location}).`, urn: its[0]!.urn });
        continue;
      }
      if (restricted) {
        problems.push({ message: `VM size '${size}' is not available to this subscription in ${location}${also(its)}`, hint: 'Choose another size, or ask Azure support to lift the restriction.', urn: its[0]!.urn });
        continue;
      }
      const vcpus = Number(sku.capabilities?.find((c) => c.name === 'vCPUs')?.value ?? 0) * its.length;
      needTotal += vcpus;
      if (sku.family) needByFamily.set(sku.family, (needByFamily.get(sku.family) ?? 0) + vcpus);
    }
    for (const [image, its] of grouped(here, (i) => known(i.inputs, 'image'))) {
      let ref;
      try {
        ref = imageReference(image);
      } catch (err) {
        problems.push({ message: `${(err as Error).message}${also(its)}`, hint: (err as { hint?: string }).hint, urn: its[0]!.urn });
        continue;
      }
      if ('id' in ref) continue; // a custom image: checked by ARM at create
      const found =
        ref.version === 'latest'
          ? (await client.compute.virtualMachineImages.list(norm(location), ref.publisher, ref.offer, ref.sku, { top: 1, abortSignal }).catch(() => [])).length > 0
          : (await findAzure(() => client.compute.virtualMachineImages.get(norm(location), ref.publisher, ref.offer, ref.sku, ref.version, { abortSignal }))) !== undefined;
      if (!found) problems.push({ message: `image '${image}' does not exist in ${location}${also(its)}`, hint: `Check it with az vm image list -l ${location} -p ${ref.publisher} -f ${ref.offer} -s ${ref.sku} --all.`, urn: its[0]!.urn });
    }
    if (needTotal > 0) {
      for await (const u of client.compute.usageOperations.list(norm(location), { abortSignal })) {
        const name = u.name.value ?? '';
        const need = name === 'cores' ? needTotal : needByFamily.get(name);
        if (need !== undefined && u.currentValue + need > u.limit) {
          problems.push({
            message: `the ${u.name.localizedValue ?? name} quota in ${location} is ${u.limit}; ${u.currentValue} are in use and this deploy adds ${need}`,
            hint: 'Request a quota increase (Azure portal → Quotas), or use fewer or smaller VMs.',
          });
        }
      }
    }
  }

  // The cluster's resource group: free, or made by this stack.
  for (const item of items.filter((i) => i.type === GROUP && i.op === 'create')) {
    const name = known(item.inputs, 'name');
    if (!name) continue;
    const g = await findAzure(() => client.resources.resourceGroups.get(name, { abortSignal }));
    if (g && !isOurs(g.tags, { urnTag: urnTag(item.urn) })) {
      problems.push({ message: `the resource group '${name}' already exists and was not made by this stack`, hint: 'sloth deletes its resource group with the cluster: set providers.azure resource-group to a name that does not exist yet.', urn: item.urn });
    }
  }

  for (const [zone, its] of grouped(items.filter((i) => i.type === RECORD && i.op !== 'update'), (i) => known(i.inputs, 'zoneName'))) {
    if (!(await zoneGroup(zone, { client, signal: abortSignal }))) {
      problems.push({ message: `the DNS zone '${zone}' is not in Azure subscription ${client.subscriptionId}${also(its)}`, hint: `Create it (az network dns zone create -n ${zone} -g <group>) and delegate the domain to its name servers, or set network.dns provider to where the zone lives.`, urn: its[0]!.urn });
    }
  }
  return problems;
}
