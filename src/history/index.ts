// Public surface of the history layer: deployment metadata and its schema migrations,
// snapshots and their diffs, what a stack remembers (pure, over src/state). The recorders,
// which also know the planner's steps, are `recorders.ts`.
export * from './types.ts';
export { migrateMeta, parseStoredMeta, schemaOf, MIGRATIONS, MetadataError } from './migrate.ts';
export type { Migrated } from './migrate.ts';
export { nextDeploymentMeta, changeSummary, PREVIOUS_DEPLOYMENTS_KEPT, PULUMI_FORMAT } from './meta.ts';
export type { DeploymentFacts } from './meta.ts';
export { poolsOfConfig, diffPools, nodeCountOf } from './pools.ts';
export type { PoolDiff } from './pools.ts';
export { SnapshotStore, snapshotStatuses, findSnapshot, diffSnapshots, snapshotName, deploymentNumberOf } from './snapshot.ts';
export type { Snapshot, SnapshotStatus, SnapshotDiff, DeployOptionsRecord, ResourceSummary } from './snapshot.ts';
export { historyOf, storedConfig } from './stored.ts';
export type { HistoryEntry, StoredConfig } from './stored.ts';
