// A short account of what a configuration describes (the `validate` report).
import type { ClusterConfig, ProviderName } from './schema.ts';
import { enabledProviders, machineGroups, providerRegion, roleCounts, type RoleCounts } from './topology.ts';

export interface ConfigSummary {
  name: string;
  environment: string;
  providers: Array<{ name: ProviderName; region: string | undefined }>;
  pools: Array<{ name: string; kind: 'pool' | 'node'; count: number; roles: string[]; size: string; provider?: string; region?: string }>;
  nodes: RoleCounts;
  bastion: boolean;
  distribution: string;
  version: string;
  networkPlugin: string;
  highAvailability: boolean;
}

export function summarize(config: ClusterConfig): ConfigSummary {
  return {
    name: config.metadata.name,
    environment: config.metadata.environment,
    providers: enabledProviders(config).map((p) => ({ name: p, region: providerRegion(config, p) })),
    pools: machineGroups(config).map((g) => ({
      name: g.key,
      kind: g.kind,
      count: g.count,
      roles: [...g.roles],
      size: g.size,
      provider: g.provider,
      region: g.region,
    })),
    nodes: roleCounts(config),
    bastion: config.security.bastion?.enabled === true,
    distribution: config.kubernetes.distribution,
    version: config.kubernetes.version,
    networkPlugin: config.kubernetes.networkPlugin,
    highAvailability: config.kubernetes.highAvailability,
  };
}
