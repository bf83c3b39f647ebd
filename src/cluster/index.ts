// Public entry points of the planner (see README.md).
export { modelFromConfig, PLANNED_CLOUDS } from './from-config.ts';
export type { FromConfigOptions } from './from-config.ts';
export { previousFromDeployment } from './previous.ts';
export { deployKeyHolders, isRebuild, recoveredPrevious, recoveryFrom, refuseLostAccess } from './recovery.ts';
export type { Recovery } from './recovery.ts';
export { buildClusterGraph } from './graph.ts';
export type { ClusterGraph, GraphOptions } from './graph.ts';
export { clusterOutputs } from './outputs.ts';
export { slothPackage } from './remote/package.ts';
export { pendingCloudPackages, CloudNotImplementedError } from './clouds/pending.ts';
export { ClusterPlanError } from './errors.ts';
export { manifestNameOf, USER_MANIFEST_DIR } from './bootstrap/user-manifests.ts';
export type { UserManifest } from './bootstrap/user-manifests.ts';
export { COMMAND_TYPE, CLUSTER_RECORD_TYPE, MACHINE_RECORD_TYPE, API_READY_TYPE } from './remote/package.ts';
export { PATHS } from './bootstrap/kubernetes.ts';
export { DEFAULT_ARGOCD_MANIFEST_URL } from './bootstrap/argocd.ts';
export { fillKnownPlaceholders } from './bootstrap/template.ts';
