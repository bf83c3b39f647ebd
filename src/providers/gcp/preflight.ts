// GCP's pre-flight: before a deploy creates anything, the credentials work and the project
// answers (one authenticated call, which also gives the project-wide quotas), every region
// and zone exists and is UP, every machine type is offered in its zone, every image (or
// image family) resolves, the regional CPU and address quotas and the project's network and
// firewall quotas leave room, and the Cloud DNS zones exist. Every problem at once.
import { UNKNOWN_VALUE, type PropertyMap } from '../../state/types.ts';
import type { ConfigureContext, PreflightItem, PreflightProblem } from '../../engine/index.ts';
import type { GcpClient } from './client.ts';
import { findGcp } from './errors.ts';
import { managedZone } from './dns.ts';

const INSTANCE = 'gcp:compute/instance:Instance';
const ADDRESS = 'gcp:compute/address:Address';
const NETWORK = 'gcp:compute/network:Network';
const FIREWALL = 'gcp:compute/firewall:Firewall';
const RECORD = 'gcp:dns/recordSet:RecordSet';

const known = (inputs: PropertyMap, key: string): string | undefined => {
  const v = inputs[key];
  return typeof v === 'string' && v !== '' && v !== UNKNOWN_VALUE ? v : undefined;
};
const nameOf = (item: PreflightItem) => item.urn.slice(item.urn.lastIndexOf('::') + 2);
const also = (items: PreflightItem[]) => (items.length > 1 ? ` (also ${items.slice(1).map(nameOf).join(', ')})` : '');

function grouped(items: readonly PreflightItem[], key: (i: PreflightItem) => string | undefined): [string, PreflightItem[]][] {
  const out = new Map<string, PreflightItem[]>();
  for (const i of items) {
    const k = key(i);
    if (k !== undefined) out.set(`${k}\u0000${i.sourcePosition ?? ''}`, [...(out.get(`${k}\u0000${i.sourcePosition ?? ''}`) ?? []), i]);
  }
  return [...out].map(([k, v]) => [k.slice(0, k.indexOf('\u0000')), v]);
}

interface Quota {
  metric?: string | null;
  limit?: number | null;
  usage?: number | null;
}

/** `projects/P/global/images/family/F` or `…/images/N` (URL or path) → its project and what it names. */
function imageParts(image: string, project: string): { project: string; family?: string; image?: string } | undefined {
  const m = /(?:projects\/([^/]+)\/)?global\/images\/(?:family\/([^/]+)|([^/]+))$/.exec(image);
  if (m) return { project: m[1] ?? project, family: m[2], image: m[3] };
  if (/^[a-z][-a-z0-9]*$/.test(image)) return { project, image };
  return undefined;
}

export async function gcpPreflight(client: GcpClient, items: readonly PreflightItem[], _ctx: ConfigureContext): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const project = client.project;
  let projectQuotas: Quota[];
  try {
    const [p] = await client.projects.get({ project });
    projectQuotas = p.quotas ?? [];
  } catch (err) {
    const e = err as { code?: number; message?: string };
    const text = (e.message ?? String(err)).split('\n')[0];
    if (/Could not load the default credentials|invalid_grant|unauthenticated|UNAUTHENTICATED|401/i.test(text ?? '') || e.code === 16) {
      return [{ message: `no usable GCP credentials (${client.credentialSource}): ${text}`, hint: 'Set GOOGLE_APPLICATION_CREDENTIALS to a service account key, run `gcloud auth application-default login`, or give providers.gcp credentials.' }];
    }
    if (e.code === 7 || e.code === 5 || /403|404|PERMISSION_DENIED|NOT_FOUND/.test(text ?? '')) {
      return [{ message: `GCP project '${project}' cannot be used with these credentials: ${text}`, hint: 'Check providers.gcp project-id (or GOOGLE_CLOUD_PROJECT), that the Compute Engine API is enabled, and that the identity has roles/compute.admin on it.' }];
    }
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT/.test(text ?? '')) return [{ message: `the Compute Engine API at ${client.endpoint} could not be reached: ${text}`, hint: 'Check the network, or CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE if it is set.' }];
    throw err;
  }

  const creates = items.filter((i) => i.op !== 'update');
  const instances = creates.filter((i) => i.type === INSTANCE);
  const badZones = new Set<string>();
  for (const [zone, its] of grouped(instances, (i) => known(i.inputs, 'zone'))) {
    const z = await findGcp(async () => (await client.zones.get({ project, zone }))[0]);
    if (!z || z.status !== 'UP') {
      badZones.add(zone);
      problems.push({ message: z ? `zone '${zone}' is ${z.status}${also(its)}` : `zone '${zone}' does not exist${also(its)}`, hint: 'Set providers.gcp zone to a zone of the region (gcloud compute zones list).', urn: its[0]!.urn });
    }
  }
  const regional = creates.filter((i) => known(i.inputs, 'region'));
  const regions = new Map<string, Quota[]>();
  for (const [region, its] of grouped(regional, (i) => known(i.inputs, 'region'))) {
    if (regions.has(region)) continue;
    const r = await findGcp(async () => (await client.regions.get({ project, region }))[0]);
    if (!r) problems.push({ message: `region '${region}' does not exist${also(its)}`, hint: 'Set providers.gcp region to one such as us-central1 (gcloud compute regions list).', urn: its[0]!.urn });
    else regions.set(region, r.quotas ?? []);
  }

  let cpus = 0;
  for (const [key, its] of grouped(instances, (i) => (known(i.inputs, 'machineType') && known(i.inputs, 'zone') ? `${known(i.inputs, 'machineType')}@${known(i.inputs, 'zone')}` : undefined))) {
    const [type, zone] = key.split('@') as [string, string];
    if (badZones.has(zone)) continue;
    const mt = await findGcp(async () => (await client.machineTypes.get({ project, zone, machineType: type }))[0]);
    if (!mt) problems.push({ message: `machine type '${type}' is not offered in zone ${zone}${also(its)}`, hint: `gcloud compute machine-types list --zones ${zone} lists those that are.`, urn: its[0]!.urn });
    else cpus += (mt.guestCpus ?? 0) * its.length;
  }
  for (const [image, its] of grouped(instances, (i) => known(i.inputs, 'image'))) {
    const parts = imageParts(image, project);
    const found = parts && (await findGcp(async () => (parts.family ? (await client.images.getFromFamily({ project: parts.project, family: parts.family }))[0] : (await client.images.get({ project: parts.project, image: parts.image! }))[0])));
    if (!found) problems.push({ message: `image '${image}' does not exist${also(its)}`, hint: 'Use an image or family path such as projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64.', urn: its[0]!.urn });
    else if (found.status && found.status !== 'READY') problems.push({ message: `image '${image}' is ${found.status}${also(its)}`, hint: 'Use a READY image.', urn: its[0]!.urn });
  }

  // Quotas, where the API reports them: CPUs and external addresses per region, networks
  // and firewall rules per project.
  const room = (quotas: Quota[], metric: string, need: number, where: string) => {
    const q = quotas.find((x) => x.metric === metric);
    if (q && q.limit !== null && q.limit !== undefined && (q.usage ?? 0) + need > q.limit) {
      problems.push({ message: `the ${metric} quota ${where} is ${q.limit}; ${q.usage ?? 0} are in use and this deploy adds ${need}`, hint: 'Request more (console → IAM & Admin → Quotas), or use fewer or smaller machines.' });
    }
  };
  for (const [region, quotas] of regions) {
    const here = instances.filter((i) => known(i.inputs, 'zone')?.startsWith(`${region}-`));
    if (cpus > 0 && here.length > 0) room(quotas, 'CPUS', cpus, `in ${region}`);
    const addresses = here.length + creates.filter((i) => i.type === ADDRESS && known(i.inputs, 'region') === region).length;
    if (addresses > 0) room(quotas, 'IN_USE_ADDRESSES', addresses, `in ${region}`);
  }
  room(projectQuotas, 'NETWORKS', creates.filter((i) => i.type === NETWORK).length || 0, `of project ${project}`);
  room(projectQuotas, 'FIREWALLS', creates.filter((i) => i.type === FIREWALL).length || 0, `of project ${project}`);

  for (const [zone, its] of grouped(creates.filter((i) => i.type === RECORD), (i) => known(i.inputs, 'zone'))) {
    if (!(await managedZone(zone, client))) {
      problems.push({ message: `no Cloud DNS managed zone for '${zone}' in project ${project}${also(its)}`, hint: `Create one (gcloud dns managed-zones create … --dns-name ${zone}) and delegate the domain to it, or set network.dns provider to where the zone lives.`, urn: its[0]!.urn });
    }
  }
  return problems;
}
