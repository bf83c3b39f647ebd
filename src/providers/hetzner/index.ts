// The `hcloud` provider package (Hetzner Cloud): the Hetzner Cloud API through openapi-fetch
// typed from its OpenAPI document, for the resource types the cluster planner declares
// (src/cluster/clouds/hetzner.ts). See README.md.
import type { ProviderPackage } from '../../engine/index.ts';
import { readConfig } from '../rest/config.ts';
import { HetznerClient } from './client.ts';
import { classifyHetznerError } from './errors.ts';
import { hetznerPreflight } from './preflight.ts';
import { firewall } from './resources/firewall.ts';
import { loadBalancer } from './resources/load-balancer.ts';
import { loadBalancerNetwork, loadBalancerService, loadBalancerTarget } from './resources/load-balancer-parts.ts';
import { network } from './resources/network.ts';
import { networkSubnet } from './resources/network-subnet.ts';
import { placementGroup } from './resources/placement-group.ts';
import { server } from './resources/server.ts';
import { sshKey } from './resources/ssh-key.ts';

export { HetznerClient } from './client.ts';
export { classifyHetznerError, HetznerActionError } from './errors.ts';

/** What the provider configuration may hold (the location is the resources' own input; it is accepted, not used). */
export const CONFIG_KEYS = ['token', 'region'] as const;

/** The client for a provider configuration: the token from it, else HCLOUD_TOKEN; HCLOUD_ENDPOINT replaces the public endpoint. */
export function clientFor(config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): HetznerClient {
  const { token, endpoint } = readConfig({ cloud: 'Hetzner Cloud', block: 'providers.hetzner', keys: CONFIG_KEYS, tokenVars: ['HCLOUD_TOKEN'], endpointVar: 'HCLOUD_ENDPOINT' }, config, env);
  return new HetznerClient({ token, endpoint });
}

export const provider: ProviderPackage<HetznerClient> = {
  name: 'hcloud',
  configure: (config, { env }) => clientFor(config, env),
  classifyError: classifyHetznerError,
  preflight: (client, items, ctx) => hetznerPreflight(client, items, ctx),
  resources: {
    'hcloud:index/network:Network': network,
    'hcloud:index/networkSubnet:NetworkSubnet': networkSubnet,
    'hcloud:index/sshKey:SshKey': sshKey,
    'hcloud:index/placementGroup:PlacementGroup': placementGroup,
    'hcloud:index/server:Server': server,
    'hcloud:index/firewall:Firewall': firewall,
    'hcloud:index/loadBalancer:LoadBalancer': loadBalancer,
    'hcloud:index/loadBalancerNetwork:LoadBalancerNetwork': loadBalancerNetwork,
    'hcloud:index/loadBalancerService:LoadBalancerService': loadBalancerService,
    'hcloud:index/loadBalancerTarget:LoadBalancerTarget': loadBalancerTarget,
  },
};
