// The `azure` provider package: Azure Resource Manager through the official SDK
// (@azure/arm-resources, -network, -compute, -dns; credentials from @azure/identity), for
// the resource types the cluster planner declares (src/cluster/clouds/azure.ts). See README.md.
import type { ProviderPackage } from '../../engine/index.ts';
import { clientFor, type AzureClient } from './client.ts';
import { classifyAzureError } from './errors.ts';
import { azurePreflight } from './preflight.ts';
import { loadBalancer, networkInterface, networkSecurityGroup, networkSecurityRule, publicIp, resourceGroup, subnet, virtualNetwork } from './network.ts';
import { virtualMachine } from './compute.ts';
import { recordSet } from './dns.ts';

export { clientFor, credentialFor, AzureConfigError, type AzureClient } from './client.ts';
export { classifyAzureError } from './errors.ts';

export const provider: ProviderPackage<AzureClient> = {
  name: 'azure',
  configure: (config, { env }) => clientFor(config, env),
  classifyError: classifyAzureError,
  preflight: (client, items, ctx) => azurePreflight(client, items, ctx),
  resources: {
    'azure:core/resourceGroup:ResourceGroup': resourceGroup,
    'azure:network/virtualNetwork:VirtualNetwork': virtualNetwork,
    'azure:network/subnet:Subnet': subnet,
    'azure:network/networkSecurityGroup:NetworkSecurityGroup': networkSecurityGroup,
    'azure:network/networkSecurityRule:NetworkSecurityRule': networkSecurityRule,
    'azure:network/publicIp:PublicIp': publicIp,
    'azure:network/networkInterface:NetworkInterface': networkInterface,
    'azure:compute/virtualMachine:VirtualMachine': virtualMachine,
    'azure:network/loadBalancer:LoadBalancer': loadBalancer,
    'azure:dns/recordSet:RecordSet': recordSet,
  },
};
