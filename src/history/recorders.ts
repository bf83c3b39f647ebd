// The recorders a deploy, rollback, refresh or destroy runs before its final checkpoint, and
// which planner steps carry which manifests. An entry of its own: it knows the planner's steps
// (src/cluster), so whoever reads history without recording does not load the planner.
export { ClusterRecorder, RecordsError, dangerousSteps } from './recorder.ts';
export type { DangerousStep, DeploymentInputs, FinishContext, RollbackTarget, UpdateRecorder } from './recorder.ts';
export { registryFollower } from './registry-follower.ts';
export { reconcile } from './reconcile.ts';
