// The Kubernetes operator: the Stack resource (crd.ts), its install manifests (install.ts), and
// the controller that reconciles Stacks through the ops layer (run.ts, controller.ts).
export { API_VERSION, APPROVE_ANNOTATION, CRD_NAME, FINALIZER, GROUP, KIND, PLURAL, RECONCILE_ANNOTATION, stackCrd, VERSION } from './crd.ts';
export { DEFAULT_NAMESPACE, installManifests, LEASE_NAME } from './install.ts';
export type { InstallOptions } from './install.ts';
export { Kube, KubeConfig } from './kube.ts';
export { runOperator } from './run.ts';
export type { OperatorOptions } from './run.ts';
export type { Log } from './update.ts';
export type { StackResource, StackSpec, StackStatus } from './types.ts';
