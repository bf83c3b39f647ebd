// The `linode` provider package: Linode's API v4 through openapi-fetch typed from Linode's
// OpenAPI document, for the resource types the cluster planner declares
// (src/cluster/clouds/linode.ts). See README.md.
import type { ProviderPackage } from '../../engine/index.ts';
import { readConfig } from '../rest/config.ts';
import { LinodeClient } from './client.ts';
import { classifyLinodeError } from './errors.ts';
import { linodePreflight } from './preflight.ts';
import { domainRecord } from './resources/domain-record.ts';
import { firewall } from './resources/firewall.ts';
import { instance } from './resources/instance.ts';
import { nodeBalancer } from './resources/node-balancer.ts';
import { nodeBalancerConfig } from './resources/node-balancer-config.ts';
import { nodeBalancerNode } from './resources/node-balancer-node.ts';
import { sshKey } from './resources/ssh-key.ts';
import { vpc } from './resources/vpc.ts';
import { vpcSubnet } from './resources/vpc-subnet.ts';

export { LinodeClient } from './client.ts';
export { classifyLinodeError } from './errors.ts';

/** What the provider configuration may hold (the region is the resources' own input; it is accepted, not used). */
export const CONFIG_KEYS = ['token', 'region'] as const;

/** The client for a provider configuration: the token from it, else LINODE_TOKEN; LINODE_API_URL replaces the public endpoint. */
export function clientFor(config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): LinodeClient {
  const { token, endpoint } = readConfig({ cloud: 'Linode', block: 'providers.linode', keys: CONFIG_KEYS, tokenVars: ['LINODE_TOKEN'], endpointVar: 'LINODE_API_URL' }, config, env);
  return new LinodeClient({ token, endpoint });
}

export const provider: ProviderPackage<LinodeClient> = {
  name: 'linode',
  configure: (config, { env }) => clientFor(config, env),
  classifyError: classifyLinodeError,
  preflight: (client, items, ctx) => linodePreflight(client, items, ctx),
  resources: {
    'linode:index/vpc:Vpc': vpc,
    'linode:index/vpcSubnet:VpcSubnet': vpcSubnet,
    'linode:index/sshKey:SshKey': sshKey,
    'linode:index/instance:Instance': instance,
    'linode:index/firewall:Firewall': firewall,
    'linode:index/nodeBalancer:NodeBalancer': nodeBalancer,
    'linode:index/nodeBalancerConfig:NodeBalancerConfig': nodeBalancerConfig,
    'linode:index/nodeBalancerNode:NodeBalancerNode': nodeBalancerNode,
    'linode:index/domainRecord:DomainRecord': domainRecord,
  },
};
