// Public entry points of the planner (see README.md).
export { modelFromConfig, PLANNED_CLOUDS } from './from-config.ts';
export type { FromConfigOptions } from './from-config.ts';
export { previousFromDeployment } from './previous.ts';
export { buildClusterGraph } from './graph.ts';
export type { ClusterGraph, GraphOptions } from './graph.ts';
export { clusterOutputs } from './outputs.ts';
export { slothPackage } from './remote/package.ts';
export { pendingCloudPackages, CloudNotImplementedError } from './clouds/pending.ts';
export { ClusterPlanError } from './errors.ts';
