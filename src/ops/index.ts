// The use cases the CLI, the jobs server and the operator share. Each takes an OpsContext (its
// caller's port, environment and identity) and typed inputs, and returns a typed result or
// throws (OpsError, or an error of a layer below). `errors.ts` and `stack.ts` may also be
// imported on their own: they are light enough for the CLI's start-up path.
export type { ConfirmRequest, OpsContext, OpsEvent, OpsHost } from './host.ts';
export { OpsError } from './errors.ts';
export type { OpsErrorReason } from './errors.ts';

// Engine operations
export { preview, deploy, refresh } from './cluster.ts';
export type { ClusterRunInput, ClusterSource, RefreshInput } from './cluster.ts';
export { destroy, deployGraph, previewGraph } from './engine-run.ts';
export type { ApplyOutcome, DeployGraphInput, DesiredBuilder, RefreshOutcome, RunOptions } from './engine-run.ts';
export { rollback } from './rollback.ts';
export type { RollbackInput } from './rollback.ts';

// What a stack records
export { exportConfig, EXPORT_FORMATS } from './export-config.ts';
export type { ExportConfigInput, ExportedConfig, ExportFormat } from './export-config.ts';
export { deploymentHistory, listSnapshots, showSnapshot, compareSnapshots } from './history.ts';
export type { DeploymentHistory, SnapshotSummary, SnapshotView } from './history.ts';
export { listManifests, manifestHistory, showManifest, diffManifestVersions } from './manifests.ts';
export type { ManifestVersionsDiff, ShownManifest } from './manifests.ts';
export { diffManifestLive, redactReport } from './manifests-live.ts';
export type { LiveDiffInput, LiveDiffReport } from './manifests-live.ts';

// For the jobs runner and the server
export { checkCredentials } from './identity.ts';
export type { CloudToCheck } from './identity.ts';
export { parseOperatorCidrs } from './operator-address.ts';
export { auditSession, environmentPassphrase, openStack, openStore, resolveStackName, withAuditedStack, withStack } from './stack.ts';
export type { Opened } from './stack.ts';
export { exportAudit, importAudit, pruneAudit, readAudit, verifyAudit } from './audit.ts';
export type { ImportedAudit, PrunedAudit, VerifiedAudit } from './audit.ts';

// The cluster
export { listNodes } from './nodes.ts';
export type { NodeRow } from './nodes.ts';
export { kubeconfig, stackKubeconfig } from './kubeconfig.ts';
export { storedKubeconfig } from './stack-kubeconfig.ts';
export type { KubeconfigInput, KubeconfigResult, KubeconfigTarget } from './kubeconfig.ts';
export { findKubectl, runKubectl } from './kubectl.ts';
export type { KubectlInput, SignalSource } from './kubectl.ts';
export { nodeSsh } from './node-ssh.ts';
export type { NodeSshInput, NodeSshResult } from './node-ssh.ts';
export { nodeAccess, machineNames, sshFailure } from './node-access.ts';
export type { NodeAccess } from './node-access.ts';
export { cordon, drain } from './node-ops.ts';
export type { DrainInput, NodeRef } from './node-ops.ts';
export { changePool } from './node-pool.ts';
export type { PoolChange, PoolChangeInput } from './node-pool.ts';
export { health } from './health.ts';
export type { CheckRow, HealthInput, HealthReport, HealthStatus } from './health.ts';

// Stacks and backends
export { cancelStack, createStack, deleteStack, editState, exportStack, importStack, inspectStack, listStacks, stackOutputOf, stackOutputsOf, stateResources } from './stacks.ts';
export type { CreatedStack, StateEdit, StateRow } from './stacks.ts';
export { login } from './login.ts';
export type { LoggedIn } from './login.ts';

// For tests and callers with packages of their own
export { registerProviderPackage } from './providers.ts';
