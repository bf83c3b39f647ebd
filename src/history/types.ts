// Deployment metadata as the product documentation shows it (seed "DeploymentMetadata
// Structure", field names and order exactly), plus the fields the earlier Go implementation
// declared on the same record (manifest tracking, rollback target).

export const SCHEMA_V1 = '1.0';
export const SCHEMA_V2 = '2.0';
export const CURRENT_SCHEMA = SCHEMA_V2;

/** Seed change-log types, plus `rollback` for a deployment that restored an earlier snapshot. */
export const CHANGE_TYPES = ['cluster_created', 'scale_up', 'scale_down', 'config_updated', 'pool_added', 'pool_removed', 'pool_scaled', 'rollback'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export interface ConfigVersion {
  schema_version: string;
  /** SHA-256 of the canonical JSON of the redacted configuration. */
  config_hash: string;
  /** The config hash of the deployment before this one. */
  parent_hash?: string;
  created_at: string;
  updated_at: string;
  /** Migrations applied to the record this one was computed from. */
  migrations?: string[];
  metadata?: Record<string, string>;
}

export interface ChangeLogEntry {
  timestamp: string;
  changeType: ChangeType;
  resourceId: string;
  description: string;
  oldValue?: string;
  newValue?: string;
  actor: string;
}

export interface DeploymentHistoryEntry {
  deploymentId: string;
  timestamp: string;
  nodeCount: number;
  configChecksum: string;
  schemaVersion?: string;
  success: boolean;
  errorMessage?: string;
}

export interface ManifestSummary {
  name: string;
  type: string;
  version: string;
  hash: string;
  status: string;
}

export interface ManifestRegistryState {
  version: string;
  hash: string;
  manifests: ManifestSummary[];
  exportedAt: string;
}

export type ScaleOperation = 'initial' | 'scale-up' | 'scale-down' | 'update';

export interface DeploymentMetadata {
  createdAt: string;
  updatedAt: string;
  lastDeployedAt: string;
  deploymentId: string;
  deploymentCount: number;
  configVersion: ConfigVersion;
  schemaVersion: string;
  /** SHA-256 of the Lisp text that was deployed. */
  configChecksum: string;
  currentNodeCount: number;
  previousNodeCount: number;
  lastScaleOperation: ScaleOperation | string;
  nodePoolsAdded: string[];
  nodePoolsRemoved: string[];
  nodePoolsScaled: string[];
  changeLog: ChangeLogEntry[];
  previousDeployments: DeploymentHistoryEntry[];
  stateSnapshotId: string;
  parentStateId: string;
  slothVersion: string;
  pulumiVersion: string;
  manifestCount?: number;
  manifestRegistry?: ManifestRegistryState;
  manifestHashes?: Record<string, string>;
  rollbackTarget?: string;
  rollbackReason?: string;
  /** Fields written by other versions are kept as they are. */
  [field: string]: unknown;
}

/** A node pool (or an individually declared node) as far as history is concerned. */
export interface PoolInfo {
  name: string;
  count: number;
  provider?: string;
  region?: string;
  size?: string;
  roles?: string[];
}
