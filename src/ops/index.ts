// The use cases the CLI, the jobs server and the operator share. Each takes an OpsContext (its
// caller's port, environment and identity) and typed inputs, and returns a typed result or
// throws (OpsError, or an error of a layer below).
export type { ConfirmRequest, OpsContext, OpsEvent, OpsHost } from './host.ts';
export { OpsError } from './errors.ts';
export type { OpsErrorReason } from './errors.ts';

export { preview, deploy, refresh } from './cluster.ts';
export type { ClusterRunInput, ClusterSource, RefreshInput } from './cluster.ts';
export { destroy, deployGraph, previewGraph, refreshStack, STACK_MEMORY_OUTPUTS } from './engine-run.ts';
export type { ApplyOutcome, DeployGraphInput, DesiredBuilder, RefreshOutcome, RefreshStackInput, RunOptions } from './engine-run.ts';
export { rollback, pickSnapshot } from './rollback.ts';
export type { RollbackInput } from './rollback.ts';
export { exportConfig, EXPORT_FORMATS } from './export-config.ts';
export type { ExportConfigInput, ExportedConfig, ExportFormat } from './export-config.ts';
export { listNodes, nodeRows } from './nodes.ts';
export type { NodeRow } from './nodes.ts';
export { diffManifestLive, redactReport } from './manifests-live.ts';
export type { LiveDiffInput, LiveDiffReport } from './manifests-live.ts';

export { registerProviderPackage } from './providers.ts';
export { parseOperatorCidrs } from './operator-address.ts';
export { auditSession, environmentPassphrase, openStack, openStore, resolveStackName, withAuditedStack, withStack } from './stack.ts';
export type { Opened } from './stack.ts';
export { exportAudit, importAudit, pruneAudit, readAudit, verifyAudit } from './audit.ts';
export type { ImportedAudit, PrunedAudit, VerifiedAudit } from './audit.ts';
export { deploymentHistory, listSnapshots, showSnapshot, compareSnapshots } from './history.ts';
export type { DeploymentHistory, SnapshotSummary, SnapshotView } from './history.ts';
export { listManifests, manifestHistory, showManifest, diffManifestVersions } from './manifests.ts';
export type { ManifestVersionsDiff, ShownManifest } from './manifests.ts';
export { cancelStack, createStack, deleteStack, editState, exportStack, importStack, inspectStack, listStacks, stackOutputsOf, stateResources } from './stacks.ts';
export type { CreatedStack, StateEdit, StateRow } from './stacks.ts';
export { login } from './login.ts';
