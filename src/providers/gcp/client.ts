// The GCP provider configuration → the official clients: @google-cloud/compute over its REST
// transport, and @google-cloud/dns. Credentials are Application Default Credentials: the
// service account key in providers.gcp `credentials`, else the key file named by
// GOOGLE_APPLICATION_CREDENTIALS (from the CLI's environment), else what google-auth-library
// finds itself (the gcloud ADC file, the metadata server on GCP). The project: providers.gcp
// `project-id`, else GOOGLE_CLOUD_PROJECT / GCLOUD_PROJECT, else the credentials' project.
// CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE and CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS (gcloud's
// variables, e.g. https://compute.example/compute/v1/) point the clients at another endpoint.
// The v1 clients are imported from their own module: the package's index also loads every
// message class of every API version (seconds of start-up for nothing).
import {
  AddressesClient,
  FirewallsClient,
  ForwardingRulesClient,
  GlobalOperationsClient,
  ImagesClient,
  InstancesClient,
  MachineTypesClient,
  NetworksClient,
  ProjectsClient,
  RegionOperationsClient,
  RegionsClient,
  SubnetworksClient,
  TargetPoolsClient,
  ZoneOperationsClient,
  ZonesClient,
} from '@google-cloud/compute/build/src/v1/index.js';
import { DNS } from '@google-cloud/dns';
import type { PropertyMap } from '../../state/types.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface GcpClient {
  readonly project: string;
  readonly networks: NetworksClient;
  readonly subnetworks: SubnetworksClient;
  readonly firewalls: FirewallsClient;
  readonly instances: InstancesClient;
  readonly addresses: AddressesClient;
  readonly targetPools: TargetPoolsClient;
  readonly forwardingRules: ForwardingRulesClient;
  readonly globalOperations: GlobalOperationsClient;
  readonly regionOperations: RegionOperationsClient;
  readonly zoneOperations: ZoneOperationsClient;
  readonly regions: RegionsClient;
  readonly zones: ZonesClient;
  readonly machineTypes: MachineTypesClient;
  readonly images: ImagesClient;
  readonly projects: ProjectsClient;
  readonly dns: DNS;
  /** Where the credentials come from (for messages). */
  readonly credentialSource: string;
  readonly endpoint: string;
}

/** Keys a `pulumi:providers:gcp` configuration may hold (the planner writes these). */
export const CONFIG_KEYS = ['region', 'projectId', 'credentials'] as const;

export class GcpConfigError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = 'GcpConfigError';
    this.hint = hint;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** An endpoint override as the clients take it. */
function endpointOf(value: string | undefined, variable: string): { apiEndpoint: string; port?: number; base: string } | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GcpConfigError(`${variable} '${value}' is not a URL`, 'e.g. https://compute.googleapis.com/compute/v1/, or unset it');
  }
  if (url.protocol !== 'https:') throw new GcpConfigError(`${variable} '${value}' is not an https URL`, 'The clients speak HTTPS only');
  return { apiEndpoint: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), base: url.origin };
}

export interface Credentials {
  options: { credentials?: Record<string, unknown>; keyFilename?: string };
  source: string;
  /** The project the key belongs to, when it says. */
  project?: string;
}

export function credentialsFor(config: PropertyMap, env: Env): Credentials {
  const inline = str(config['credentials']);
  if (inline) {
    let key: Record<string, unknown>;
    try {
      key = JSON.parse(inline) as Record<string, unknown>;
    } catch {
      throw new GcpConfigError('providers.gcp credentials is not JSON', 'Give the service account key file\'s contents, e.g. (credentials (file "key.json")), or leave it out to use Application Default Credentials');
    }
    if (typeof key.type !== 'string') throw new GcpConfigError('providers.gcp credentials is not a service account key (no "type")', 'Download a JSON key for the service account');
    return { options: { credentials: key }, source: 'the key in providers.gcp', project: str(key.project_id) };
  }
  const file = str(env.GOOGLE_APPLICATION_CREDENTIALS);
  if (file) return { options: { keyFilename: file }, source: `GOOGLE_APPLICATION_CREDENTIALS (${file})` };
  return { options: {}, source: 'Application Default Credentials (gcloud auth application-default login, or the metadata server)' };
}

export async function clientFor(config: PropertyMap, env: Env): Promise<GcpClient> {
  const unknown = Object.keys(config).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new GcpConfigError(`the GCP provider configuration has key(s) it does not support yet: ${unknown.join(', ')}`, `Supported: ${CONFIG_KEYS.join(', ')}`);
  const creds = credentialsFor(config, env);
  const compute = endpointOf(str(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE), 'CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE');
  const dnsEndpoint = endpointOf(str(env.CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS), 'CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS');
  let project = str(config['projectId']) ?? str(env.GOOGLE_CLOUD_PROJECT) ?? str(env.GCLOUD_PROJECT) ?? creds.project;
  // REST transport (no gRPC); the engine retries, so the client makes one attempt per call.
  const options = { ...creds.options, ...(project ? { projectId: project } : {}), fallback: true, ...(compute ? { apiEndpoint: compute.apiEndpoint, port: compute.port } : {}) };
  const networks = new NetworksClient(options);
  // Credentials first: a client whose credentials cannot be loaded fails every method it has
  // at once, and only the one called is ever awaited (the others' rejections would end the process).
  try {
    await networks.auth.getClient();
  } catch (err) {
    throw new GcpConfigError(`no usable GCP credentials (${creds.source}): ${(err as Error).message.split('.')[0]}`, 'Set GOOGLE_APPLICATION_CREDENTIALS to a credentials file, run `gcloud auth application-default login`, or give providers.gcp credentials');
  }
  if (!project) {
    try {
      project = await networks.getProjectId();
    } catch {
      /* reported below */
    }
  }
  if (!project) throw new GcpConfigError('no GCP project: set (project-id "…") in providers.gcp or GOOGLE_CLOUD_PROJECT', 'gcloud config get-value project prints the current one');
  // One credential (and one token) for every client.
  const all = { ...options, projectId: project, auth: networks.auth };
  return {
    project,
    networks,
    subnetworks: new SubnetworksClient(all),
    firewalls: new FirewallsClient(all),
    instances: new InstancesClient(all),
    addresses: new AddressesClient(all),
    targetPools: new TargetPoolsClient(all),
    forwardingRules: new ForwardingRulesClient(all),
    globalOperations: new GlobalOperationsClient(all),
    regionOperations: new RegionOperationsClient(all),
    zoneOperations: new ZoneOperationsClient(all),
    regions: new RegionsClient(all),
    zones: new ZonesClient(all),
    machineTypes: new MachineTypesClient(all),
    images: new ImagesClient(all),
    projects: new ProjectsClient(all),
    dns: new DNS({ ...creds.options, projectId: project, ...(dnsEndpoint ? { apiEndpoint: `${dnsEndpoint.apiEndpoint}${dnsEndpoint.port ? `:${dnsEndpoint.port}` : ''}` } : {}) }),
    credentialSource: creds.source,
    endpoint: compute?.base ?? 'https://compute.googleapis.com',
  };
}
