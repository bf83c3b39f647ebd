// Public API of the state layer. Everything above (engine, history, audit, CLI) uses only
// what is exported here and the types in ./types.ts.
export * from './types.ts';
export {
  StateError,
  StackNotFoundError,
  StackExistsError,
  InvalidStackNameError,
  BackendConfigError,
  BackendError,
  SecretsError,
  PassphraseRequiredError,
  IncorrectPassphraseError,
  CheckpointError,
  UnsupportedCheckpointError,
  StackLockedError,
  LockLostError,
  NotSupportedError,
  relativeTime,
} from './errors.ts';
export type { LockHolder } from './errors.ts';
export { holdsOnlyItsRoot, openStateStore, StateStore } from './store.ts';
export type { StoreOptions, OpenOptions, OpenedStack, StackInspection, ImportResult } from './store.ts';
export type { PassphraseSource } from './secrets/crypter.ts';
export type { NewStackSecrets } from './secrets/provider.ts';
export { clearDerivedKeyCache } from './secrets/passphrase.ts';
export { kmsUrlFor } from './secrets/awskms.ts';
export { parseBackendUrl, DEFAULT_BACKEND_URL } from './backend-url.ts';
export type { BackendSpec, BackendSource } from './backend-url.ts';
export { readSettings, writeSetting, settingsPath, effectiveEnv, SETTINGS_KEYS } from './settings.ts';
export { openBlobStore } from './store.ts';
export type { BlobStore, BlobInfo } from './blob/blob-store.ts';
export { StackAttachments, ForeignRecordError } from './attachments.ts';
export type { AttachmentSealer } from './attachments.ts';
export { setStackOutputs, stackOutputs, rootStackResource, isCredentialOutput, protectStackOutputs, CREDENTIAL_OUTPUTS } from './outputs.ts';
export { checkIntegrity, sortForIntegrity, referencesOf, providerUrn } from './checkpoint/integrity.ts';
export type { IntegrityProblem } from './checkpoint/integrity.ts';
export { PROJECT, rootStackUrn, isValidStackName, checkStackName, qualifiedName } from './layout.ts';
export type { StoredHistoryEntry } from './history.ts';
export { planDelete, planUnprotect, planRepair } from './state-edit.ts';
export type { EditPlan } from './state-edit.ts';
