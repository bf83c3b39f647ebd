// Public entry points of the configuration layer. Other layers import from here only.
export { loadConfigFile, loadConfigText } from './load.ts';
export type { LoadOptions, LoadedConfig } from './load.ts';
export { ConfigError, formatDiagnostic, formatDiagnostics } from './diagnostics.ts';
export type { Diagnostic, Severity } from './diagnostics.ts';
export { printConfig } from './print.ts';
export { toJSON, redact, configHash, canonicalJSON, secretPaths, isConfigJson, REDACTED } from './json.ts';
export { SourceMap } from './source-map.ts';
export { parseIpv4, formatIpv4, parseCidr, requireCidr, formatCidr, cidrSize, overlaps as cidrsOverlap, contains as cidrContains, nthAddress, hostRange, meshCapacity } from './cidr.ts';
export type { Cidr, CidrResult } from './cidr.ts';
export { summarize } from './summary.ts';
export type { ConfigSummary } from './summary.ts';
export {
  machineGroups,
  roleCounts,
  enabledProviders,
  providerRegion,
  meshMembers,
  isControlPlane,
  isEtcdMember,
  rolesFromName,
} from './topology.ts';
export type { MachineGroup, RoleCounts } from './topology.ts';
export { clusterSchema, PROVIDERS, ROLES, DISTRIBUTIONS, DEFAULT_VERSIONS } from './schema.ts';
export type * from './schema.ts';

import type { ClusterConfig } from './schema.ts';

/** The stack a configuration deploys to is named after the cluster. */
export function stackName(config: ClusterConfig): string {
  return config.metadata.name;
}
