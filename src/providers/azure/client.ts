// The Azure provider configuration → the official ARM clients (resources, network, compute,
// DNS) and an @azure/identity credential. The credential chain is DefaultAzureCredential's,
// built from the CLI's environment (never process.env): a service principal from the config,
// then the standard variables (AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET or
// AZURE_CLIENT_CERTIFICATE_PATH; AZURE_FEDERATED_TOKEN_FILE for workload identity), then the
// Azure CLI and Azure Developer CLI logins, then a managed identity. AZURE_TOKEN_CREDENTIALS
// narrows the chain as it does for DefaultAzureCredential (`dev`, `prod`, or one credential's
// name). AZURE_RESOURCE_MANAGER_ENDPOINT points the clients at another ARM endpoint (a
// sovereign cloud, a test stand-in); AZURE_AUTHORITY_HOST at another Entra ID authority.
import {
  AzureCliCredential,
  AzureDeveloperCliCredential,
  ChainedTokenCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import { NetworkManagementClient } from '@azure/arm-network';
import { ComputeManagementClient } from '@azure/arm-compute';
import { DnsManagementClient } from '@azure/arm-dns';
import type { PropertyMap } from '../../state/types.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What every Azure resource type receives as `ctx.client`. */
export interface AzureClient {
  readonly subscriptionId: string;
  readonly resources: ResourceManagementClient;
  readonly network: NetworkManagementClient;
  readonly compute: ComputeManagementClient;
  readonly dns: DnsManagementClient;
  /** Where the credentials come from (for messages; never the credentials themselves). */
  readonly credentialSource: string;
  /** The ARM endpoint (for messages). */
  readonly endpoint: string;
  /** Long-running operations: the poll interval when Azure does not say (`Retry-After`). */
  readonly pollMs: number;
}

/** Keys a `pulumi:providers:azure` configuration may hold (the planner writes these). */
export const CONFIG_KEYS = ['region', 'subscriptionId', 'tenantId', 'clientId', 'clientSecret'] as const;

export const DEFAULT_ENDPOINT = 'https://management.azure.com';

export class AzureConfigError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = 'AzureConfigError';
    this.hint = hint;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The credential chain and a description of where it looks. */
export function credentialFor(config: PropertyMap, env: Env): { credential: TokenCredential; source: string } {
  const authorityHost = str(env.AZURE_AUTHORITY_HOST);
  const tenantId = str(config['tenantId']) ?? str(env.AZURE_TENANT_ID);
  const clientId = str(config['clientId']) ?? str(env.AZURE_CLIENT_ID);
  const secret = str(config['clientSecret']);
  if (secret) {
    if (!tenantId || !clientId) throw new AzureConfigError('providers.azure client-secret needs tenant-id and client-id (or AZURE_TENANT_ID and AZURE_CLIENT_ID)', 'Give all three, or remove client-secret to use the environment or an Azure CLI login');
    return { credential: new ClientSecretCredential(tenantId, clientId, secret, { authorityHost }), source: 'the service principal in providers.azure' };
  }
  const wanted = str(env.AZURE_TOKEN_CREDENTIALS)?.toLowerCase();
  const chain: { name: string; group: 'prod' | 'dev'; make: () => TokenCredential | undefined }[] = [
    {
      name: 'environmentcredential',
      group: 'prod',
      make: () => {
        if (!tenantId || !clientId) return undefined;
        if (str(env.AZURE_CLIENT_SECRET)) return new ClientSecretCredential(tenantId, clientId, env.AZURE_CLIENT_SECRET!, { authorityHost });
        if (str(env.AZURE_CLIENT_CERTIFICATE_PATH)) return new ClientCertificateCredential(tenantId, clientId, { certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH!, certificatePassword: str(env.AZURE_CLIENT_CERTIFICATE_PASSWORD) }, { authorityHost });
        return undefined;
      },
    },
    {
      name: 'workloadidentitycredential',
      group: 'prod',
      make: () => (tenantId && clientId && str(env.AZURE_FEDERATED_TOKEN_FILE) ? new WorkloadIdentityCredential({ tenantId, clientId, tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE!, authorityHost }) : undefined),
    },
    { name: 'managedidentitycredential', group: 'prod', make: () => new ManagedIdentityCredential(clientId ? { clientId } : {}) },
    { name: 'azureclicredential', group: 'dev', make: () => new AzureCliCredential(tenantId ? { tenantId } : {}) },
    { name: 'azuredeveloperclicredential', group: 'dev', make: () => new AzureDeveloperCliCredential(tenantId ? { tenantId } : {}) },
  ];
  if (wanted && wanted !== 'dev' && wanted !== 'prod' && !chain.some((c) => c.name === wanted)) {
    throw new AzureConfigError(`AZURE_TOKEN_CREDENTIALS is '${env.AZURE_TOKEN_CREDENTIALS}'`, `Use dev, prod, or one of ${chain.map((c) => c.name).join(', ')} (any case)`);
  }
  // DefaultAzureCredential's order: environment, workload identity, managed identity, then the developer logins.
  const picked = chain.filter((c) => !wanted || c.group === wanted || c.name === wanted).flatMap((c) => {
    const made = c.make();
    return made ? [{ name: c.name, credential: made }] : [];
  });
  if (picked.length === 0) throw new AzureConfigError('no Azure credentials to try', 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, log in with `az login`, or give providers.azure client-id/client-secret/tenant-id');
  return { credential: new ChainedTokenCredential(...picked.map((p) => p.credential)), source: picked.map((p) => p.name).join(', ') };
}

export function clientFor(config: PropertyMap, env: Env, options: { pollMs?: number } = {}): AzureClient {
  const unknown = Object.keys(config).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new AzureConfigError(`the Azure provider configuration has key(s) it does not support yet: ${unknown.join(', ')}`, `Supported: ${CONFIG_KEYS.join(', ')}`);
  const subscriptionId = str(config['subscriptionId']) ?? str(env.AZURE_SUBSCRIPTION_ID);
  if (!subscriptionId) throw new AzureConfigError('no Azure subscription: set AZURE_SUBSCRIPTION_ID, or (subscription-id "…") in providers.azure', 'az account show --query id prints the current one');
  const endpoint = (str(env.AZURE_RESOURCE_MANAGER_ENDPOINT) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  try {
    if (new URL(endpoint).protocol !== 'https:') throw new Error('not https');
  } catch {
    throw new AzureConfigError(`AZURE_RESOURCE_MANAGER_ENDPOINT '${endpoint}' is not an https URL`, `Set it to the Resource Manager endpoint, e.g. ${DEFAULT_ENDPOINT}, or unset it`);
  }
  const { credential, source } = credentialFor(config, env);
  // One attempt per call: the engine retries (errors.ts classifies).
  const common = { endpoint, retryOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: 'sloth-kubernetes' } };
  return {
    subscriptionId,
    resources: new ResourceManagementClient(credential, subscriptionId, common),
    network: new NetworkManagementClient(credential, subscriptionId, common),
    compute: new ComputeManagementClient(credential, subscriptionId, common),
    dns: new DnsManagementClient(credential, subscriptionId, common),
    credentialSource: source,
    endpoint,
    pollMs: options.pollMs ?? 2000,
  };
}
