// Public surface of the history layer: deployment metadata and its schema migrations,
// snapshots and their diffs (pure, over src/state), and the recorders a deploy, rollback,
// refresh or destroy runs before its final checkpoint (which also know the planner's steps,
// the manifest registry and the audit session).
export * from './types.ts';
export { migrateMeta, parseStoredMeta, schemaOf, MIGRATIONS, MetadataError } from './migrate.ts';
export type { Migrated } from './migrate.ts';
export { nextDeploymentMeta, changeSummary, PREVIOUS_DEPLOYMENTS_KEPT, PULUMI_FORMAT } from './meta.ts';
export type { DeploymentFacts } from './meta.ts';
export { poolsOfConfig, diffPools, nodeCountOf } from './pools.ts';
export type { PoolDiff } from './pools.ts';
export { SnapshotStore, snapshotStatuses, findSnapshot, diffSnapshots, snapshotName, deploymentNumberOf } from './snapshot.ts';
export type { Snapshot, SnapshotStatus, SnapshotDiff, DeployOptionsRecord, ResourceSummary } from './snapshot.ts';
export { ClusterRecorder, RecordsError, dangerousSteps } from './recorder.ts';
export type { DangerousStep, DeploymentInputs, FinishContext, RollbackTarget, UpdateRecorder } from './recorder.ts';
export { registryFollower } from './registry-follower.ts';
export { reconcile } from './reconcile.ts';
export { collectManifests, storedFile } from './collect-manifests.ts';
export type { CollectedManifest } from './collect-manifests.ts';
export { historyOf, storedConfig } from './stored.ts';
export type { HistoryEntry, StoredConfig } from './stored.ts';
