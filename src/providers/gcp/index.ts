// The `gcp` provider package: Compute Engine through the official @google-cloud/compute client
// (REST transport) and Cloud DNS through @google-cloud/dns, with Application Default
// Credentials, for the resource types the cluster planner declares (src/cluster/clouds/gcp.ts).
// See README.md.
import type { ProviderPackage } from '../../engine/index.ts';
import { clientFor, type GcpClient } from './client.ts';
import { classifyGcpError } from './errors.ts';
import { gcpPreflight } from './preflight.ts';
import { address, firewall, forwardingRule, instance, network, subnetwork, targetPool } from './compute.ts';
import { recordSet } from './dns.ts';

export { clientFor, credentialsFor, GcpConfigError, type GcpClient } from './client.ts';
export { classifyGcpError, GcpOperationError } from './errors.ts';

export const provider: ProviderPackage<GcpClient> = {
  name: 'gcp',
  configure: (config, { env }) => clientFor(config, env),
  classifyError: classifyGcpError,
  preflight: (client, items, ctx) => gcpPreflight(client, items, ctx),
  resources: {
    'gcp:compute/network:Network': network,
    'gcp:compute/subnetwork:Subnetwork': subnetwork,
    'gcp:compute/firewall:Firewall': firewall,
    'gcp:compute/instance:Instance': instance,
    'gcp:compute/address:Address': address,
    'gcp:compute/targetPool:TargetPool': targetPool,
    'gcp:compute/forwardingRule:ForwardingRule': forwardingRule,
    'gcp:dns/recordSet:RecordSet': recordSet,
  },
};
