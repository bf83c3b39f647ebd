// Public surface of the manifest registry (imports only src/state).
export * from './registry.ts';
export { ManifestStore } from './store.ts';
export { unifiedDiff } from './text-diff.ts';
export { diffWithLive } from './live-diff.ts';
export type { LiveDiff, ObjectDiff } from './live-diff.ts';
export type { Difference } from './live-compare.ts';
export { compareObject, isSecretObject } from './live-compare.ts';
export { describeRef, kubectlGetItems, ManifestObjectsError, recordedObjects, unknownKinds } from './live-objects.ts';
export type { KubeObject, ObjectRef, RecordedObject, UnknownKind } from './live-objects.ts';
export { parseQuantity, sameQuantity } from './quantity.ts';
