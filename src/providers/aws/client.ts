// The AWS provider configuration → SDK clients. Credentials follow the standard AWS chain,
// fed from the CLI's environment (never process.env): the config's providers.aws keys, then
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, then SSO, web identity, the shared config and
// credentials files (AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), a
// credential_process, the container and the instance role. AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE> point the clients at moto, LocalStack or a private endpoint.
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { createCredentialChain, fromContainerMetadata, fromIni, fromInstanceMetadata, fromProcess, fromSSO, fromTokenFile } from '@aws-sdk/credential-providers';
import type { PropertyMap } from '../../state/types.ts';
import { FreshIds, trackFreshIds } from './fresh-ids.ts';

type Env = Readonly<Record<string, string | undefined>>;

interface Identity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
type CredentialProvider = (() => Promise<Identity>) | ReturnType<typeof createCredentialChain>;

/** What every AWS resource type receives as `ctx.client`. */
export interface AwsClient {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  readonly sts: STSClient;
  readonly quotas: ServiceQuotasClient;
  /** Where the credentials come from (for messages; never the credentials themselves). */
  readonly credentialSource: string;
  /**
   * Clients in the partition's home region (us-east-1, cn-north-1, us-gov-west-1), whose
   * endpoints exist whatever region is configured: pre-flight asks them whether the
   * configured region exists and whether the credentials work.
   */
  home(): { ec2: EC2Client; sts: STSClient; region: string };
  /**
   * RunInstances client tokens of creates in progress, by URN: a retried call reuses its
   * token (AWS then returns the same instance), a new create gets a new one.
   */
  readonly pendingTokens: Map<string, string>;
  /** Ids this client's EC2 creates returned lately: a NotFound naming one is retried. */
  readonly fresh: FreshIds;
  /** A delete held by something that depends on the object says what holds it this often (ms)… */
  waitNoticeMs: number;
  /** …and gives up after this long (ms), naming it (ec2/dependents.ts). */
  maxWaitMs: number;
}

/** Keys a `pulumi:providers:aws` configuration may hold (the planner writes these). */
export const CONFIG_KEYS = ['region', 'accessKeyId', 'secretAccessKey', 'sessionToken'] as const;

/** The environment variable suffix of each service (the SDK's service id, upper snake case). */
const SERVICE_ENV = { ec2: 'EC2', elb: 'ELASTIC_LOAD_BALANCING_V2', route53: 'ROUTE_53', sts: 'STS', quotas: 'SERVICE_QUOTAS' } as const;

export class AwsConfigError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(hint ? `${message}. ${hint}` : message);
    this.name = 'AwsConfigError';
    this.hint = hint;
  }
}

/** The endpoint for a service, when the environment overrides it. */
export function endpointFor(service: keyof typeof SERVICE_ENV, env: Env): string | undefined {
  if (/^true$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return undefined;
  return nonEmpty(env[`AWS_ENDPOINT_URL_${SERVICE_ENV[service]}`]) ?? nonEmpty(env.AWS_ENDPOINT_URL);
}

const nonEmpty = (s: string | undefined): string | undefined => (s && s.trim() !== '' ? s.trim() : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The credential provider and a description of where it looks. */
export function credentialsFor(config: PropertyMap, env: Env): { credentials: CredentialProvider; source: string } {
  const keyId = str(config['accessKeyId']);
  const secret = str(config['secretAccessKey']);
  if (keyId || secret) {
    if (!keyId || !secret) throw new AwsConfigError('providers.aws needs both access-key-id and secret-access-key (or neither)', 'Give both keys, or remove them to use the environment or an AWS profile');
    const identity: Identity = { accessKeyId: keyId, secretAccessKey: secret, sessionToken: str(config['sessionToken']) };
    return { credentials: async () => identity, source: 'providers.aws access-key-id' };
  }
  const envKey = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const envSecret = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (envKey && envSecret) {
    const identity: Identity = { accessKeyId: envKey, secretAccessKey: envSecret, sessionToken: nonEmpty(env.AWS_SESSION_TOKEN) };
    return { credentials: async () => identity, source: 'AWS_ACCESS_KEY_ID' };
  }
  const profile = nonEmpty(env.AWS_PROFILE) ?? nonEmpty(env.AWS_DEFAULT_PROFILE);
  const files = { profile, filepath: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE), configFilepath: nonEmpty(env.AWS_CONFIG_FILE) };
  const chain = [];
  chain.push(fromSSO(files));
  const tokenFile = nonEmpty(env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const roleArn = nonEmpty(env.AWS_ROLE_ARN);
  if (tokenFile && roleArn) chain.push(fromTokenFile({ webIdentityTokenFile: tokenFile, roleArn, roleSessionName: nonEmpty(env.AWS_ROLE_SESSION_NAME) }));
  chain.push(fromIni(files), fromProcess(files));
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) chain.push(fromContainerMetadata({ timeout: 2000, maxRetries: 1 }));
  else if (!/^true$/i.test(env.AWS_EC2_METADATA_DISABLED ?? '')) chain.push(fromInstanceMetadata({ timeout: 1000, maxRetries: 0 }));
  return { credentials: createCredentialChain(...chain), source: profile ? `AWS profile '${profile}'` : 'the AWS credential chain (SSO, shared files, instance role)' };
}

/** The region every account of the region's partition can reach. */
export function homeRegion(region: string): string {
  if (region.startsWith('cn-')) return 'cn-north-1';
  if (region.startsWith('us-gov-')) return 'us-gov-west-1';
  return 'us-east-1';
}

/** Builds the clients for one provider configuration. Throws AwsConfigError for a bad one. */
export function makeClient(config: PropertyMap, env: Env): AwsClient {
  const unknown = Object.keys(config).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new AwsConfigError(`the AWS provider configuration has key(s) it does not support yet: ${unknown.join(', ')}`, `Supported: ${CONFIG_KEYS.join(', ')}`);
  }
  const region = str(config['region']) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (!region) throw new AwsConfigError('no AWS region', 'Set region in providers.aws, or AWS_REGION');
  if (!/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(region)) throw new AwsConfigError(`'${region}' is not an AWS region name`, 'Use a region such as us-east-1 or eu-west-3');
  const { credentials, source } = credentialsFor(config, env);
  let homeClients: ReturnType<AwsClient['home']> | undefined;
  const common = (service: keyof typeof SERVICE_ENV, inRegion = region) => ({
    region: inRegion,
    credentials,
    endpoint: endpointFor(service, env),
    // The engine retries (with events the user sees); the SDK makes a single attempt.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
  const ec2 = new EC2Client(common('ec2'));
  const fresh = new FreshIds();
  trackFreshIds(ec2, fresh);
  return {
    region,
    ec2,
    elb: new ElasticLoadBalancingV2Client(common('elb')),
    route53: new Route53Client(common('route53')),
    sts: new STSClient(common('sts')),
    quotas: new ServiceQuotasClient(common('quotas')),
    credentialSource: source,
    home: () => {
      const home = homeRegion(region);
      homeClients ??= { region: home, ec2: new EC2Client(common('ec2', home)), sts: new STSClient(common('sts', home)) };
      return homeClients;
    },
    pendingTokens: new Map(),
    fresh,
    waitNoticeMs: 10_000,
    maxWaitMs: 180_000,
  };
}
