// The `digitalocean` provider package: DigitalOcean's public v2 API through openapi-fetch typed
// from DigitalOcean's OpenAPI document, for the resource types the cluster planner declares (src/cluster/clouds/digitalocean.ts).
// See README.md.
import type { ProviderPackage } from '../../engine/index.ts';
import { readConfig } from '../rest/config.ts';
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
export { DoActionError, classifyDoError } from './errors.ts';

/** What the provider configuration may hold (the region is the resources' own input; it is accepted, not used). */
export const CONFIG_KEYS = ['token', 'region'] as const;

/**
 * The client for a provider configuration: the token from the configuration, else
 * DIGITALOCEAN_TOKEN, else DIGITALOCEAN_ACCESS_TOKEN; the endpoint from DIGITALOCEAN_API_URL,
 * else the public API.
 */
export function clientFor(config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): DoClient {
  const { token, endpoint } = readConfig({ cloud: 'DigitalOcean', block: 'providers.digitalocean', keys: CONFIG_KEYS, tokenVars: ['DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN'], endpointVar: 'DIGITALOCEAN_API_URL' }, config, env);
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
