// The `digitalocean` provider package: DigitalOcean's public v2 API through a small fetch
// client, for the resource types the cluster planner declares (src/cluster/clouds/digitalocean.ts).
// See README.md.
import type { ProviderPackage } from '../../engine/index.ts';
import { DoClient } from './client.ts';
import { classifyDoError } from './errors.ts';
import { doPreflight } from './preflight.ts';
import { dnsRecord } from './resources/dns-record.ts';
import { droplet } from './resources/droplet.ts';
import { firewall } from './resources/firewall.ts';
import { loadBalancer } from './resources/load-balancer.ts';
import { sshKey } from './resources/ssh-key.ts';
import { tag } from './resources/tag.ts';
import { vpc } from './resources/vpc.ts';

export { DoClient } from './client.ts';
export { DoApiError, DoActionError, classifyDoError } from './errors.ts';

export class DoConfigError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = 'DoConfigError';
    this.hint = hint;
  }
}

/**
 * The client for a provider configuration ({token?, region, apiUrl?}): the token from the
 * configuration, else DIGITALOCEAN_TOKEN, else DIGITALOCEAN_ACCESS_TOKEN; the endpoint from
 * DIGITALOCEAN_API_URL, else the public API.
 */
/** What the provider configuration may hold (the region is the resources' own input; it is accepted, not used). */
export const CONFIG_KEYS = ['token', 'region'] as const;

export function clientFor(config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): DoClient {
  const unknown = Object.keys(config).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new DoConfigError(`the DigitalOcean provider configuration has key(s) it does not support yet: ${unknown.join(', ')}`, `Supported: ${CONFIG_KEYS.join(', ')}.`);
  }
  const token = (typeof config.token === 'string' && config.token) || env.DIGITALOCEAN_TOKEN || env.DIGITALOCEAN_ACCESS_TOKEN;
  if (!token) {
    // The engine reports the message alone, so it says what to do too.
    throw new DoConfigError('no DigitalOcean API token: set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN), or (token …) in providers.digitalocean', 'e.g. (token (env "DIGITALOCEAN_TOKEN")) in the digitalocean block.');
  }
  const endpoint = env.DIGITALOCEAN_API_URL || undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new DoConfigError(`DIGITALOCEAN_API_URL '${endpoint}' is not a URL`, 'Set it to the API\'s base, e.g. https://api.digitalocean.com, or unset it.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new DoConfigError(`DIGITALOCEAN_API_URL '${endpoint}' is not an http(s) URL`, 'Set it to the API\'s base, e.g. https://api.digitalocean.com, or unset it.');
  }
  return new DoClient({ token, endpoint });
}

export const provider: ProviderPackage<DoClient> = {
  name: 'digitalocean',
  configure: (config, { env }) => clientFor(config, env),
  classifyError: classifyDoError,
  preflight: (client, items, ctx) => doPreflight(client, items, ctx),
  resources: {
    'digitalocean:index/vpc:Vpc': vpc,
    'digitalocean:index/sshKey:SshKey': sshKey,
    'digitalocean:index/tag:Tag': tag,
    'digitalocean:index/droplet:Droplet': droplet,
    'digitalocean:index/firewall:Firewall': firewall,
    'digitalocean:index/loadBalancer:LoadBalancer': loadBalancer,
    'digitalocean:index/dnsRecord:DnsRecord': dnsRecord,
  },
};
