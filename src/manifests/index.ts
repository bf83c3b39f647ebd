// Public surface of the manifest registry (imports only src/state).
export * from './registry.ts';
export { ManifestStore } from './store.ts';
export { unifiedDiff } from './text-diff.ts';
